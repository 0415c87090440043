/**
 * @module The host side of a sandbox's socket: listen on a Unix socket in the sandbox's folder and take the harness's one
 * connection once it says it is ready. Plain sockets only, no schemas: a launcher can open one before the runtime loads.
 */
import { createServer, type Socket } from 'node:net';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../base/errors.ts';

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

/** Waits for the harness that was just started to connect and say it is ready. */
function awaitReady(socket: Socket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new EdgeError('SANDBOX_FAILED', `the sandbox did not start within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const newline = seen.indexOf('\n');
      if (newline === -1) return;
      cleanup();
      if (seen.slice(0, newline) !== '{"t":"ready"}' || seen.length > newline + 1) fail(new EdgeError('SANDBOX_FAILED', 'the sandbox spoke out of turn'));
      else resolve();
    };
    const onClose = () => fail(new EdgeError('SANDBOX_FAILED', 'the sandbox closed its connection before it was ready'));
    function cleanup() {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
    }
    function fail(error: Error) {
      cleanup();
      socket.destroy();
      reject(error);
    }
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}
