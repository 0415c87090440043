/** @module Builds the runtime base image from local files: the host's node, its shared libraries and the harness. */
import type Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { EdgeError } from '../runtime/errors.ts';

const repository = 'edgecourier-runtime';
const inputsLabel = 'edgecourier.inputs';
/** Bump when the image's layout or settings change while its inputs stay the same. */
const recipeVersion = 1;

/** A file copied into the image: read from `source`, written at `target` (relative to the root). */
interface ImageFile {
  source: string;
  target: string;
  size: number;
  mtimeMs: number;
  executable: boolean;
}

/** A tar member: a directory when `file` is absent. */
interface TarEntry {
  path: string;
  mode: number;
  file?: ImageFile;
}

/**
 * Returns the reference of the base image for this node and harness, importing it when the engine lacks it.
 * @example const image = await ensureBaseImage(docker, await buildHarness(cacheDir), { log: console.log })
 */
export async function ensureBaseImage(docker: Docker, harness: { dir: string; hash: string }, options: { log?: (line: string) => void } = {}): Promise<string> {
  const log = options.log ?? (() => {});
  const files = await imageFiles(harness.dir);
  const hash = inputsHash(files, harness.hash);
  const ref = `${repository}:${hash}`;
  if (await imageExists(docker, ref)) return ref;
  log(`building base image ${ref} (node ${process.version}, ${files.length} files)`);
  const started = Date.now();
  try {
    await importRootfs(docker, files, hash);
  } catch (error) {
    throw new EdgeError('ENGINE_UNAVAILABLE', `Could not build the base image ${ref}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  log(`built base image ${ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return ref;
}

/**
 * Removes base images other than `keep`, leaving those a container or derived image still uses.
 * @returns the references removed
 */
export async function removeStaleBaseImages(docker: Docker, keep: string): Promise<string[]> {
  const images = await docker.listImages({ filters: { label: [inputsLabel] } });
  const stale = images.flatMap((image) => image.RepoTags ?? []).filter((tag) => tag.startsWith(`${repository}:`) && tag !== keep);
  const removed: string[] = [];
  for (const tag of stale) {
    const gone = await docker.getImage(tag).remove().then(
      () => true,
      (error: { statusCode?: number }) => {
        if (error.statusCode !== 409) throw error;
        return false;
      },
    );
    if (gone) removed.push(tag);
  }
  return removed;
}

async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  return docker.getImage(ref).inspect().then(
    () => true,
    (error: { statusCode?: number }) => {
      if (error.statusCode !== 404) throw error;
      return false;
    },
  );
}

/** The node binary at /usr/bin/node, each library at the path ldd prints, and the harness under /harness. */
async function imageFiles(harnessDir: string): Promise<ImageFile[]> {
  const node = await realpath(process.execPath);
  const libraries = await sharedLibraries(node);
  const harnessNames = (await readdir(harnessDir, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name).sort();
  return Promise.all([
    imageFile(node, 'usr/bin/node'),
    ...libraries.map((library) => imageFile(library, library.slice(1))),
    ...harnessNames.map((name) => imageFile(join(harnessDir, name), `harness/${name}`)),
  ]);
}

async function imageFile(source: string, target: string): Promise<ImageFile> {
  const info = await stat(source);
  return { source, target, size: info.size, mtimeMs: info.mtimeMs, executable: (info.mode & 0o111) !== 0 };
}

/** The absolute paths `ldd` lists for a binary; none for a static one. */
async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)('ldd', [binary]).catch((error: { stdout?: string; message: string }) => {
    if (/not a dynamic executable|statically linked/.test(`${error.stdout ?? ''}${error.message}`)) return { stdout: '' };
    throw new EdgeError('ENGINE_UNAVAILABLE', `Could not list the shared libraries of ${binary} with ldd: ${error.message}`);
  });
  return stdout.split('\n').flatMap((line) => {
    if (line.includes('=> not found')) throw new EdgeError('ENGINE_UNAVAILABLE', `${binary} needs a library that is missing: ${line.trim()}`);
    const path = /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)/.exec(line)?.[1];
    return path ? [path] : [];
  });
}

/**
 * Names the image by what goes in it. Files count by path, size and mtime rather than content:
 * hashing the ~100 MB node binary would add about 0.3 s to every start, and a package upgrade
 * changes size or mtime anyway.
 */
function inputsHash(files: ImageFile[], harnessHash: string): string {
  const hash = createHash('sha256').update(`recipe ${recipeVersion}\nnode ${process.version}\nharness ${harnessHash}\n`);
  for (const file of files) hash.update(`${file.source} ${file.target} ${file.size} ${file.mtimeMs}\n`);
  return hash.digest('hex').slice(0, 16);
}

async function importRootfs(docker: Docker, files: ImageFile[], hash: string): Promise<void> {
  let sourceError: unknown;
  const tar = Readable.from(tarStream(tarEntries(files)));
  tar.on('error', (error) => {
    sourceError = error;
  });
  const changes = [
    'ENTRYPOINT ["/usr/bin/node","/harness/harness.mjs"]',
    'WORKDIR /ec/app',
    'USER 65534:65534',
    `LABEL ${inputsLabel}=${hash}`,
  ];
  const progress = await docker.importImage(tar, { repo: repository, tag: hash, changes });
  const output = await new Promise<Array<{ error?: string }>>((resolve, reject) => {
    docker.modem.followProgress(progress, (error, result) => (error ? reject(error) : resolve(result)));
  });
  // The engine may answer before it has read the whole tarball, so a read error can surface only here.
  if (sourceError) throw sourceError;
  const failure = output.find((line) => line.error);
  if (failure) throw new Error(failure.error);
  if (!(await imageExists(docker, `${repository}:${hash}`))) throw new Error('the engine reported no error but has no image by that name');
}

/** Directories first, parents before children, then the files; everything is owned by root. */
function tarEntries(files: ImageFile[]): TarEntry[] {
  const dirs = new Set(['tmp', 'ec', 'ec/app']);
  for (const file of files) {
    const parts = file.target.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const dirEntries = [...dirs].sort().map((path) => ({ path: `${path}/`, mode: path === 'tmp' ? 0o1777 : 0o755 }));
  // Fixed modes so the unprivileged user can read every file whatever the host's umask was.
  return [...dirEntries, ...files.map((file) => ({ path: file.target, mode: file.executable ? 0o755 : 0o644, file }))];
}

async function* tarStream(entries: TarEntry[]): AsyncGenerator<Buffer> {
  const mtime = Math.floor(Date.now() / 1000);
  for (const entry of entries) {
    yield tarHeader(entry.path, entry.mode, entry.file?.size ?? 0, mtime, entry.file ? '0' : '5');
    if (entry.file) yield* fileContent(entry.file);
  }
  yield Buffer.alloc(1024);
}

async function* fileContent(file: ImageFile): AsyncGenerator<Buffer> {
  let length = 0;
  for await (const chunk of createReadStream(file.source) as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > file.size) break;
    yield chunk;
  }
  // The header already promised `size` bytes; a file that changed meanwhile would corrupt the archive.
  if (length !== file.size) throw new Error(`${file.source} changed while the image was being built; try again`);
  const padding = (512 - (file.size % 512)) % 512;
  if (padding) yield Buffer.alloc(padding);
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
