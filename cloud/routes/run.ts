/**
 * @module Calls to an app's endpoints at /run/<appId><path>: the hot path, served on Node's http module in
 * front of Express. Express's middleware chain and response helpers cost about as much as the warm
 * container call itself (docs/benchmarks.md); everything else the cloud serves stays on Express.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Logger } from 'pino';
import { EdgeError } from '../../base/errors.ts';
import { nestedDeeperThan } from '../../runtime/json-depth.ts';
import type { InvocationEnvelope } from '../app-runtime.ts';
import { httpStatusOf } from '../http-status.ts';
import { findCaller } from '../auth.ts';
import { bodyErrors, internalErrorBody } from '../http.ts';
import type { CloudDeps } from '../deps.ts';
import { activationHeaders, invocationReply, readEnvelope, retryHeaders } from '../invocation.ts';
import { bodiless, httpAnswerGuards, type HttpAnswer } from '../http-response.ts';

const PREFIX = '/run/';

/** Serves the request and returns true when it is an endpoint call; otherwise leaves it alone and returns false. */
export type RunHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new EdgeError('INVALID_INPUT', `the URL path has a malformed %-escape in "${segment}"`);
  }
}

/** The path and query of a request target: `http://host/run/x` (absolute form, as sent to proxies) is `/run/x`, as Express reads it. */
function originForm(url: string): string {
  const authority = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i.exec(url);
  if (!authority) return url;
  const rest = url.slice(authority[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** `/run/<appId>/<path>?<query>` split and decoded; a trailing slash is forgiven, as Express forgives it on its own routes. */
function target(url: string): { appId: string; path: string; query: string } {
  const queryAt = url.indexOf('?');
  const [appId = '', ...rest] = (queryAt === -1 ? url : url.slice(0, queryAt)).slice(PREFIX.length).split('/').map(decodeSegment);
  const path = `/${rest.join('/')}`;
  return { appId, path: path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path, query: queryAt === -1 ? '' : url.slice(queryAt + 1) };
}

/** A body over the limit is still read, and dropped, up to this many times the limit, so that the client is there to read the 413 on a connection that stays open. */
const DRAIN_FACTOR = 8;

/** The body's bytes; over `limit` it rejects with PAYLOAD_TOO_LARGE once the body has been read, or at once past the drain cap. */
function readBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  // Made only when refused: an error's stack trace costs about 2% of a warm call's CPU.
  const tooLarge = () => bodyErrors.tooLarge(limit);
  if (Number(req.headers['content-length'] ?? 0) > limit * DRAIN_FACTOR) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= limit) chunks.push(chunk);
      else if (length > limit * DRAIN_FACTOR) {
        req.pause();
        reject(tooLarge());
      }
    });
    req.on('end', () => (length > limit ? reject(tooLarge()) : resolve(Buffer.concat(chunks, length))));
    req.on('error', reject);
  });
}

/** The JSON body, as express.json() reads it: only for a JSON content type, UTF-8, uncompressed, at most `limit` bytes; none is undefined. */
async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const [type = '', ...params] = (req.headers['content-type'] ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return undefined;
  const charset = params
    .find((param) => param.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  const encoding = req.headers['content-encoding']?.toLowerCase() ?? 'identity';
  if ((charset && charset !== 'utf-8' && charset !== 'utf8') || encoding !== 'identity') {
    throw bodyErrors.unsupportedEncoding();
  }
  const bytes = await readBytes(req, limit);
  if (bytes.length === 0) return undefined;
  let body: unknown;
  try {
    // A byte order mark is allowed, as express.json() allows it.
    body = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    throw bodyErrors.invalidJson();
  }
  if (nestedDeeperThan(body)) throw bodyErrors.tooDeep();
  return body;
}

function sendJson(res: ServerResponse, status: number, body: object, close = false, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    // An answer sent before the body was read ends the connection: the rest of the body is not a next request.
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** The response a function's output described (checked by httpAnswerOf), with the cloud's guards and headers beside the function's own. */
function sendHttp(res: ServerResponse, answer: HttpAnswer, ours: Record<string, string>): void {
  const { 'content-security-policy': policy, ...headers } = answer.headers;
  for (const [name, value] of Object.entries({ ...headers, ...httpAnswerGuards, ...ours })) res.setHeader(name, value);
  // A policy of the function's own is sent too: a browser enforces both.
  if (policy) res.setHeader('content-security-policy', [policy, httpAnswerGuards['content-security-policy']]);
  if (!bodiless(answer.status)) res.setHeader('content-length', answer.body.length);
  res.writeHead(answer.status);
  res.end(answer.body);
}

/**
 * Any method on /run/<appId> and below, matched against the app's endpoints.
 * @example http.createServer((req, res) => run(req, res) || expressApp(req, res))
 */
export function runHandler(deps: Pick<CloudDeps, 'calls' | 'sessions'>, logger: Logger, maxBodyBytes: number): RunHandler {
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const { appId, path, query } = target(req.url!);
    // A session cookie without its CSRF token on a change names nobody here: the call is a stranger's, as from another site.
    const callerId = findCaller(deps.sessions, method, req.headers).caller?.user.id;
    const called = deps.calls.find(appId, method, path, callerId);
    // Under a flood, a call that would be refused is refused before its body is parsed or anything is
    // looked up for it: refusals must cost the cloud little, or they take the place of calls it could run.
    const refusal = deps.calls.refusal(called.app, callerId);
    if (refusal) {
      await readBytes(req, maxBodyBytes);
      throw refusal;
    }
    // A GET has no body: its query string is the input, and it carries no cache or precomputed results.
    const envelope: InvocationEnvelope = method === 'GET' ? { input: { ...parseQuery(query) } } : readEnvelope(await readJsonBody(req, maxBodyBytes));
    const response = await deps.calls.call(called, envelope, callerId);
    if (response.ok && response.http) return sendHttp(res, response.http, activationHeaders(response));
    const { status, body, headers } = invocationReply(response, false);
    sendJson(res, status, body, false, headers);
  };
  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    // Answered already, or the client went away (an upload cut short): nobody is left to tell.
    if (res.headersSent || req.socket.destroyed) return void res.destroy();
    const close = !req.readableEnded;
    if (error instanceof EdgeError) return sendJson(res, httpStatusOf(error.code), { error: error.toBody() }, close, retryHeaders(error.code));
    logger.error({ err: error, method: req.method, path: req.url?.split('?', 1)[0] }, 'unexpected error');
    sendJson(res, 500, internalErrorBody, close);
  };
  return (req, res) => {
    const url = originForm(req.url ?? '');
    // Case-insensitive, as Express matches its routes, where /run was before.
    if (url.slice(0, PREFIX.length).toLowerCase() !== PREFIX) return false;
    req.url = url;
    serve(req, res).catch((error: unknown) => fail(req, res, error));
    return true;
  };
}
