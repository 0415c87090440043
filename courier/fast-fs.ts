/**
 * @module The file operations on the courier's per-request path, made synchronously. Each takes a few
 * microseconds on the local folder a courier serves, and a backlog of small files costs less than half
 * the CPU this way: no thread-pool hop, promise or FileHandle per call.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** What is at a request's path: nothing, something that is not a regular file, or a file and its text unless it is over the limit. */
export type FileReading =
  | { kind: 'gone' }
  | { kind: 'not-a-file' }
  /** It is there but could not be opened now (permissions, no file descriptors left, an I/O error). */
  | { kind: 'unreadable'; code: string }
  | { kind: 'too-large'; size: number; mtimeMs: number }
  | { kind: 'text'; text: string; mtimeMs: number };

// O_NOFOLLOW: a symlink is refused, not followed out of the root. O_NONBLOCK: a FIFO cannot hang the courier.
const readFlags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Reads the regular file at `path` if it is at most `maxBytes` long. */
export function readRegularFile(path: string, maxBytes: number): FileReading {
  let fd: number;
  try {
    fd = openSync(path, readFlags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'gone' };
    // ELOOP: a symlink. ENXIO: a Unix socket, which cannot be opened as a file.
    return code === 'ELOOP' || code === 'ENXIO' ? { kind: 'not-a-file' } : { kind: 'unreadable', code };
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { kind: 'not-a-file' };
    if (info.size > maxBytes) return { kind: 'too-large', size: info.size, mtimeMs: info.mtimeMs };
    const buffer = Buffer.allocUnsafe(info.size);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
    }
    return { kind: 'text', text: buffer.toString('utf8', 0, length), mtimeMs: info.mtimeMs };
  } finally {
    closeSync(fd);
  }
}
