/** @module Local Unix sockets that only this user may use: whether something answers at a path, and listening there privately. */
import { chmod, mkdtemp, rename, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';

/** True when a process listens at `path`; false for no file, a file nobody listens on, or one this user may not use. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Makes `server` listen at `path`, mode 600: it is made in a new folder only this user may enter, made private
 * there, then moved into place (over a dead process's socket, if one is left), so at no moment can another user
 * connect to it. The caller checks first that nothing answers at `path`.
 * @example await listenPrivately(createServer(handler), join(dataDir, 'control.sock'))
 */
export async function listenPrivately(server: Server, path: string): Promise<void> {
  const staging = await mkdtemp(join(dirname(path), '.socket-'));
  try {
    const staged = join(staging, 's');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(staged, () => resolve());
    });
    await chmod(staged, 0o600);
    await rename(staged, path);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
