/**
 * @module The cloud's control socket, `<data>/control.sock`: where `edgecourier cloud operators` lists, grants and
 * takes back the operator role of a running cloud (docs/fleet-api.md, "Who is an operator").
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { EdgeError } from '../base/errors.ts';
import { listenPrivately, socketAnswers } from '../base/unix-socket.ts';
import { httpStatusOf } from './http-status.ts';
import { internalErrorBody, validate } from './http.ts';
import type { OperatorService } from './services/operators.ts';

/** Where a cloud on `dataDir` listens for control commands. */
export const controlSocketPath = (dataDir: string): string => join(dataDir, 'control.sock');

/** The longest path a Unix socket may have on Linux, less its terminating zero. */
const MAX_SOCKET_PATH_BYTES = 107;

const emailSchema = z.email().max(254);

type Answer = { status: number; body: unknown };

async function answer(operators: OperatorService, method: string, url: string): Promise<Answer> {
  const match = /^\/operators(?:\/([^/?]+))?$/.exec(url);
  if (match && !match[1] && method === 'GET') return { status: 200, body: { operators: operators.list() } };
  if (!match?.[1] || (method !== 'PUT' && method !== 'DELETE')) throw new EdgeError('NOT_FOUND', `no control command ${method} ${url}`);
  const email = validate(emailSchema, decodeURIComponent(match[1]).trim().toLowerCase(), 'email');
  return { status: 200, body: await operators.set(email, method === 'PUT') };
}

async function respond(operators: OperatorService, logger: Logger, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let result: Answer;
  try {
    result = await answer(operators, req.method ?? 'GET', req.url ?? '/');
  } catch (error) {
    if (error instanceof URIError) error = new EdgeError('INVALID_INPUT', 'the address in the command is not valid URL encoding');
    if (error instanceof EdgeError) result = { status: httpStatusOf(error.code), body: { error: error.toBody() } };
    else {
      logger.error({ err: error, method: req.method, url: req.url }, 'a control command failed');
      result = { status: 500, body: internalErrorBody };
    }
  }
  res.writeHead(result.status, { 'content-type': 'application/json' }).end(JSON.stringify(result.body));
}

export interface ControlSocket {
  close(): Promise<void>;
}

/**
 * Refuses to go on when a cloud already runs on `dataDir`: a second one reading its database would remove
 * the code files the first one wrote since, and both would write the one file. Called before anything is read.
 */
export async function assertNoCloudOn(dataDir: string): Promise<void> {
  const path = controlSocketPath(dataDir);
  if (await socketAnswers(path)) throw new EdgeError('INVALID_INPUT', `another cloud is running on ${dataDir} (${path} answers); stop it first`);
}

/**
 * Listens on `<dataDir>/control.sock`, mode 600. Only the cloud writes its database (lowdb rewrites the whole file,
 * so a second writer would lose updates and never be seen), so the command asks the cloud to make the change. The
 * socket admits exactly who may already read the database and the secret key beside it: the host's administrator.
 */
export async function openControlSocket(dataDir: string, operators: OperatorService, logger: Logger): Promise<ControlSocket> {
  const path = controlSocketPath(dataDir);
  // The socket is made at a longer path first (below), which must fit too.
  if (Buffer.byteLength(join(dataDir, '.socket-XXXXXX', 's')) > MAX_SOCKET_PATH_BYTES) {
    logger.warn({ path }, "the data folder's path is too long for a Unix socket: `edgecourier cloud operators` cannot reach this cloud");
    return { close: async () => undefined };
  }
  await assertNoCloudOn(dataDir);
  const server: Server = createServer((req, res) => void respond(operators, logger, req, res));
  await listenPrivately(server, path);
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
