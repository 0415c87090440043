/** @module A client of a running cloud's control socket (`<data>/control.sock`), for `edgecourier cloud operators`. */
import { request } from 'node:http';
import { controlSocketPath } from '../cloud/control-socket.ts';
import { EdgeError } from '../base/errors.ts';
import { answerError, type CloudAnswer } from './cloud-client.ts';

function send(dataDir: string, method: string, path: string): Promise<CloudAnswer> {
  const socketPath = controlSocketPath(dataDir);
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 500, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch {
          reject(new EdgeError('CLOUD_UNREACHABLE', `${socketPath} answered with something that is not edgecourier's JSON`));
        }
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EACCES'
          ? 'you may not use it: run this as the user the cloud runs as'
          : 'no cloud answers there: start it with this --data folder, then run this again';
      reject(new EdgeError('CLOUD_UNREACHABLE', `cannot reach the cloud's control socket ${socketPath} (${error.code ?? error.message}); ${why}`));
    });
    req.end();
  });
}

/**
 * One control command to the cloud running on `dataDir`; an error answer is thrown as EdgeError with its code.
 * @example await controlRequest('./data', 'PUT', `/operators/${encodeURIComponent('ops@example.com')}`)
 */
export async function controlRequest<T>(dataDir: string, method: 'GET' | 'PUT' | 'DELETE', path: string): Promise<T> {
  const answer = await send(dataDir, method, path);
  if (answer.status >= 200 && answer.status < 300) return answer.body as T;
  throw answerError(method, path, answer);
}
