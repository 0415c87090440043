/** @module The host side of a sandbox's socket: listen on a Unix socket in the sandbox's folder and take the harness's one connection. */
import { createServer, type Socket } from 'node:net';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../base/errors.ts';
import { awaitReady } from './harness-connection.ts';

/** Unix socket paths are limited to 107 bytes by the kernel. */
const MAX_SOCKET_PATH = 107;

export interface Rendezvous {
  path: string;
  /** Resolves with the harness's socket once it connected and said it is ready. */
  connected(timeoutMs: number): Promise<Socket>;
  close(): void;
}

/** Listens at `<dir>/h.sock`, reachable by any user so that the sandbox's unprivileged harness can connect. */
export async function openRendezvous(dir: string): Promise<Rendezvous> {
  const path = join(dir, 'h.sock');
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new EdgeError('SANDBOX_FAILED', `the socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes; choose a shorter run directory`);
  }
  const server = createServer();
  let first: Promise<Socket> = new Promise((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, resolve));
  await chmod(path, 0o666);
  return {
    path,
    connected(timeoutMs) {
      first = first.then(async (socket) => {
        server.close();
        await awaitReady(socket, timeoutMs);
        return socket;
      });
      return Promise.race([
        first,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new EdgeError('SANDBOX_FAILED', `the sandbox did not connect within ${timeoutMs} ms`)), timeoutMs).unref(),
        ),
      ]);
    },
    close: () => server.close(),
  };
}
