/**
 * @module The side of `edgecourier run` that asks a running service (cli/run-socket/server.ts) to run a function in
 * its warm sandboxes. Light on purpose: it loads no engine client, runtime or schema library, so a run through a
 * service costs little more than starting node.
 */
import { request } from 'node:http';
import { EdgeError, isErrorCode } from '../../base/errors.ts';
import { runSocketPath } from '../../base/paths.ts';
import type { CallEntries, InvokeResponse } from '../../runtime/protocol.ts';

export interface RunRequest {
  appDir: string;
  function: string;
  input: unknown;
  cache?: CallEntries;
  precomputed?: CallEntries;
  recordResults?: boolean;
  /** The app's secrets, from `run --secrets`; the socket is this user's alone. */
  secrets?: Record<string, string>;
}

/** The service's answer: the response as a run of its own would print it, and what loading the app warned of. */
export interface RunAnswer {
  response: InvokeResponse;
  warnings: string[];
}

/** Errors that mean no service answers here, so `run` does the work itself. */
const NO_SERVICE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTSOCK']);

/**
 * The answer of the service running on this machine, or undefined when none answers: then the caller runs the
 * function itself. A service that answers with an error (a request it refuses) throws it as EdgeError.
 * @example const answer = await runThroughService({ appDir: '/home/me/apps/hello', function: 'greet', input: null })
 */
export function runThroughService(run: RunRequest): Promise<RunAnswer | undefined> {
  const body = JSON.stringify(run);
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: runSocketPath(), method: 'POST', path: '/v1/run', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        let answer: unknown;
        try {
          answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return reject(new EdgeError('SANDBOX_FAILED', `the service at ${runSocketPath()} answered with something that is not JSON`));
        }
        if (res.statusCode === 200) return resolve(answer as RunAnswer);
        const error = (answer as { error?: { code?: unknown; message?: unknown } }).error;
        reject(new EdgeError(isErrorCode(error?.code) ? error.code : 'INTERNAL_ERROR', String(error?.message ?? `the service answered ${res.statusCode}`)));
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => (NO_SERVICE.has(error.code ?? '') ? resolve(undefined) : reject(error)));
    req.end(body);
  });
}
