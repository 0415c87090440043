/** @module An in-process tar writer for what we send the engine (image imports and build contexts), with no tar binary needed. */
import type Docker from 'dockerode';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

/** A file on disk; `size` is taken when the entry is listed, and the header promises exactly that many bytes. */
export interface TarFile {
  source: string;
  size: number;
}

/** A tar member: a file on disk, a file held in memory (`data`), or a directory when neither is given. Owned by root. */
export interface TarEntry {
  path: string;
  mode: number;
  file?: TarFile;
  data?: Buffer;
}

/**
 * Streams a tar of `entries` into an engine call (`send`), follows the engine's progress to its end, and throws
 * the first error either side reports. `onEvent` sees every progress event, e.g. a build's `stream` lines.
 * @example await sendTar(docker, entries, (tar) => docker.buildImage(tar, { t: 'name:tag' }))
 */
export async function sendTar(
  docker: Docker,
  entries: TarEntry[],
  send: (tar: Readable) => Promise<NodeJS.ReadableStream>,
  onEvent?: (event: { stream?: string }) => void,
): Promise<void> {
  let sourceError: unknown;
  const tar = Readable.from(tarStream(entries));
  tar.on('error', (error) => {
    sourceError = error;
  });
  const progress = await send(tar);
  const output = await new Promise<Array<{ error?: string }>>((resolve, reject) => {
    docker.modem.followProgress(progress, (error, result) => (error ? reject(error) : resolve(result)), onEvent);
  });
  // The engine may answer before it has read the whole tarball, so a read error can surface only here.
  if (sourceError) throw sourceError;
  const failure = output.find((line) => line.error);
  if (failure) throw new Error(failure.error);
}

async function* tarStream(entries: TarEntry[]): AsyncGenerator<Buffer> {
  const mtime = Math.floor(Date.now() / 1000);
  for (const entry of entries) {
    const size = entry.file?.size ?? entry.data?.length ?? 0;
    yield tarHeader(entry.path, entry.mode, size, mtime, entry.file || entry.data ? '0' : '5');
    if (entry.file) yield* fileContent(entry.file);
    if (entry.data) yield* [entry.data, ...padding(entry.data.length)];
  }
  yield Buffer.alloc(1024);
}

async function* fileContent(file: TarFile): AsyncGenerator<Buffer> {
  let length = 0;
  for await (const chunk of createReadStream(file.source) as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > file.size) break;
    yield chunk;
  }
  // The header already promised `size` bytes; a file that changed meanwhile would corrupt the archive.
  if (length !== file.size) throw new Error(`${file.source} changed while the image was being built; try again`);
  yield* padding(file.size);
}

/** The zeros that fill a member's content up to the next 512-byte block, if any. */
function* padding(size: number): Generator<Buffer> {
  const length = (512 - (size % 512)) % 512;
  if (length) yield Buffer.alloc(length);
}

/** A POSIX ustar header; paths past 100 bytes go into the 155-byte prefix field. */
function tarHeader(path: string, mode: number, size: number, mtime: number, type: '0' | '5'): Buffer {
  const header = Buffer.alloc(512);
  const [prefix, name] = splitPath(path);
  header.write(name, 0, 100);
  header.write(octal(mode, 7), 100);
  header.write(octal(0, 7), 108);
  header.write(octal(0, 7), 116);
  header.write(octal(size, 11), 124);
  header.write(octal(mtime, 11), 136);
  header.write(' '.repeat(8), 148);
  header.write(type, 156);
  header.write('ustar\u000000', 257);
  header.write(prefix, 345, 155);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  header.write(`${octal(checksum, 6)} `, 148);
  return header;
}

function octal(value: number, digits: number): string {
  return `${value.toString(8).padStart(digits, '0')}\u0000`;
}

function splitPath(path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
    const prefix = path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name) return [prefix, name];
  }
  throw new Error(`the path ${path} is too long for a tar header`);
}
