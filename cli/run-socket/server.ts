/**
 * @module The run socket of a running service (`npm start`, `edgecourier courier`, `edgecourier cloud`): the same
 * user's `edgecourier run` goes through the service's warm sandboxes, as the docker CLI goes through dockerd,
 * instead of starting an engine client, an executor and a container of its own. One more trigger: an adapter over
 * the invocation service, like the courier and the cloud.
 */
import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, dirname, isAbsolute } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { EdgeError } from '../../base/errors.ts';
import { runSocketPath } from '../../base/paths.ts';
import { ensurePrivateFolder } from '../../base/private-file.ts';
import { listenPrivately, socketAnswers } from '../../base/unix-socket.ts';
import { describeIssues } from '../../base/zod-issues.ts';
import { loadApp } from '../../runtime/app.ts';
import { envSchema } from '../../runtime/app-env.ts';
import type { DependencyInstaller } from '../../runtime/deps.ts';
import type { Executor } from '../../runtime/executor.ts';
import { invocationFields, InvocationService } from '../../runtime/invocation-service.ts';
import type { RunAnswer } from './client.ts';

/** What a `run` may send: its input may come from a file, so as much as `run` could read itself, within reason. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

const runRequest = z.strictObject({
  appDir: z.string().refine(isAbsolute, 'the app folder as an absolute path'),
  function: z.string().min(1).max(200),
  recordResults: z.boolean().optional(),
  secrets: envSchema.optional(),
  ...invocationFields,
});

/** All runs of this machine's user are one owner: they share the sandboxes fairly with the service's other callers. */
const LOCAL_OWNER = 'local runs';

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_BODY_BYTES) throw new EdgeError('REQUEST_TOO_LARGE', `a run sends at most ${MAX_BODY_BYTES} bytes to the service`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new EdgeError('INVALID_INPUT', 'the run request is not JSON');
  }
}

export interface RunSocket {
  /** Where it listens; undefined when another service answers runs already. */
  path?: string;
  close(): Promise<void>;
}

export interface RunSocketOptions {
  executor: Executor;
  installer: DependencyInstaller;
  /** What the executor runs functions in: only sandboxes are offered, since `run` without `--local` promises one. */
  kind: 'docker' | 'process';
  logger: Logger;
}

/**
 * Answers `edgecourier run` on `runSocketPath()`, mode 600 in a folder only this user may enter, unless another
 * service does already or the executor runs no sandboxes.
 * @example const socket = await serveRuns({ ...bundle, logger }); ...; await socket.close()
 */
export async function serveRuns(options: RunSocketOptions): Promise<RunSocket> {
  if (options.kind !== 'docker') return { close: async () => undefined };
  const path = runSocketPath();
  const logger = options.logger.child({ component: 'run-socket' });
  await ensurePrivateFolder(
    dirname(path),
    () => new EdgeError('INVALID_INPUT', `${dirname(path)} must be a folder of this user's; remove it or set EDGECOURIER_RUN_DIR`),
  );
  if (await socketAnswers(path)) {
    logger.info({ path }, 'another service answers edgecourier run here');
    return { close: async () => undefined };
  }
  const service = new InvocationService({
    executor: options.executor,
    installer: options.installer,
    onUnexpected: (err, request) => logger.error({ err, fn: request?.function }, 'unexpected error in a run'),
  });
  const respond = async (req: IncomingMessage, res: ServerResponse) => {
    let status = 200;
    let body: RunAnswer | { error: { code: string; message: string } };
    try {
      if (req.method !== 'POST' || req.url !== '/v1/run') throw new EdgeError('NOT_FOUND', `the run socket answers POST /v1/run, not ${req.method} ${req.url}`);
      const parsed = runRequest.safeParse(await readBody(req));
      if (!parsed.success) throw new EdgeError('INVALID_INPUT', describeIssues('the run request', parsed.error));
      const { appDir, recordResults, secrets, ...request } = parsed.data;
      const warnings: string[] = [];
      const load = async () => {
        const app = await loadApp(appDir, { dependencyKey: (manifest) => options.installer.key(manifest), secrets });
        warnings.push(...app.warnings);
        return app;
      };
      const response = await service.invoke(load, request, { owner: LOCAL_OWNER, recordResults });
      logger.info({ app: basename(appDir), fn: request.function, outcome: response.ok ? 'ok' : response.error.code }, 'run');
      body = { response, warnings };
    } catch (error) {
      status = 400;
      body = { error: error instanceof EdgeError ? error.toBody() : { code: 'INTERNAL_ERROR', message: 'the service failed to read the run request' } };
      if (!(error instanceof EdgeError)) logger.error({ err: error }, 'unexpected error reading a run request');
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = createServer((req, res) => void respond(req, res));
  try {
    await listenPrivately(server, path);
  } catch (error) {
    // A convenience of the service, not its job: runs then start executors of their own, as with no service.
    logger.warn({ err: error, path }, 'cannot answer edgecourier run here; runs will start containers of their own');
    return { close: async () => undefined };
  }
  logger.info({ path }, 'answering edgecourier run');
  return {
    path,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(path, { force: true });
    },
  };
}
