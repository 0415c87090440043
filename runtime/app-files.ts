/**
 * @module Lists the files of an app folder that reach its sandbox: every file but the ignored names, within the
 * caps, none from outside the folder, each with the hash of its bytes.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { EdgeError } from '../base/errors.ts';

/** What one app may hold, so that loading, hashing and copying it into a sandbox stay cheap. */
export const APP_CAPS = { files: 2000, totalBytes: 50 * 1024 * 1024, fileBytes: 10 * 1024 * 1024 };

/**
 * Folders at the app's top that are not part of it: packages the host installs itself, and the courier's
 * requests and results, which change with every call. Names starting with a dot (.git, .DS_Store, editors'
 * and sync clients' own files) are left out at every depth.
 */
export const IGNORED_AT_TOP: ReadonlySet<string> = new Set(['node_modules', 'results', 'requests']);

/** One file of an app. */
export interface AppFile {
  /** Relative to the app folder, with `/` between folders. */
  path: string;
  /** Its real path on the host, inside the app folder. */
  hostPath: string;
  size: number;
  /** sha256 of its bytes, hex. */
  sha256: string;
  /** Readable by every user: the sandbox, run as an unprivileged user, may share the host's file (a hard link). */
  readableByAll: boolean;
  /** The bytes as text, for the files the caller asked to keep (function sources, TypeScript). */
  text?: string;
  /** For a `.ts` file: the ES module it compiles to, which the sandbox holds in its place. */
  compiled?: string;
}

interface Walk {
  appDir: string;
  warnings: string[];
  /** Called for each file the app holds, in folder order. */
  onFile: (path: string, hostPath: string, info: Stats) => Promise<void> | void;
}

interface Listing {
  keepText: (path: string) => boolean;
  files: AppFile[];
  totalBytes: number;
}

const MB = 1024 * 1024;

/**
 * The app's files, sorted by path. Throws EdgeError INVALID_APP when a link points outside the folder or a cap is
 * passed; names that are neither file nor folder (sockets, pipes) are passed over with a warning.
 * @example const files = await listAppFiles('/apps/shop', (path) => path.endsWith('.ts'), warnings)
 */
export async function listAppFiles(appDir: string, keepText: (path: string) => boolean, warnings: string[]): Promise<AppFile[]> {
  const listing: Listing = { keepText, files: [], totalBytes: 0 };
  await walkFolder({ appDir, warnings, onFile: (path, hostPath, info) => addFile(listing, path, hostPath, info.size, info.mode) }, appDir, '', [appDir]);
  return listing.files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/**
 * The same files' paths, sizes and modification times, without reading them: a cheap look that changes whenever
 * an edit would change what listAppFiles finds. Stops counting past the file cap (loading then says so).
 */
export async function appFileStamps(appDir: string): Promise<string> {
  const stamps: string[] = [];
  const onFile = (path: string, _hostPath: string, info: Stats) => {
    if (stamps.length <= APP_CAPS.files) stamps.push(`${path}:${info.size}:${info.mtimeMs}`);
  };
  await walkFolder({ appDir, warnings: [], onFile }, appDir, '', [appDir]);
  return stamps.sort().join('|');
}

/** A hash of every file's path and bytes, in path order: what a function's version covers. */
export function treeHash(files: ReadonlyArray<Pick<AppFile, 'path' | 'sha256'>>): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.path}\0${file.sha256}\0`);
  return hash.digest('hex');
}

/** `ancestors` are the real folders being walked, so that a link to one of them cannot loop for ever. */
async function walkFolder(walk: Walk, realDir: string, rel: string, ancestors: string[]): Promise<void> {
  for (const entry of await readdir(realDir, { withFileTypes: true })) {
    const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.name.startsWith('.') || (rel === '' && IGNORED_AT_TOP.has(entry.name))) continue;
    let real = join(realDir, entry.name);
    if (entry.isSymbolicLink()) {
      real = await realpath(real).catch(() => '');
      if (real === '') {
        walk.warnings.push(`${path}: skipped; it is a link to nothing`);
        continue;
      }
      if (real !== walk.appDir && !real.startsWith(walk.appDir + sep))
        throw new EdgeError('INVALID_APP', `${path} points outside the app folder; only files inside it are read`);
    }
    const info = await stat(real);
    if (info.isDirectory()) {
      if (ancestors.includes(real)) throw new EdgeError('INVALID_APP', `${path} is a link to a folder that holds it`);
      await walkFolder(walk, real, path, [...ancestors, real]);
    } else if (info.isFile()) {
      await walk.onFile(path, real, info);
    } else {
      walk.warnings.push(`${path}: skipped; it is neither a file nor a folder`);
    }
  }
}

/** Caps are checked before reading: a huge file would fill memory. */
async function addFile(walk: Listing, path: string, hostPath: string, size: number, mode: number): Promise<void> {
  if (walk.files.length >= APP_CAPS.files) {
    throw new EdgeError(
      'INVALID_APP',
      `the app has more than ${APP_CAPS.files} files, the most an app may hold (node_modules, results, requests and dot files are not counted)`,
    );
  }
  if (size > APP_CAPS.fileBytes)
    throw new EdgeError('INVALID_APP', `${path} is larger than ${APP_CAPS.fileBytes / MB} MB, the most one file of an app may hold`);
  const bytes = await readFile(hostPath);
  walk.totalBytes += bytes.length;
  if (walk.totalBytes > APP_CAPS.totalBytes) {
    throw new EdgeError(
      'INVALID_APP',
      `the app's files add up to more than ${APP_CAPS.totalBytes / MB} MB, the most an app may hold (node_modules is not counted)`,
    );
  }
  walk.files.push({
    path,
    hostPath,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    readableByAll: (mode & 0o004) !== 0,
    ...(walk.keepText(path) ? { text: bytes.toString('utf8') } : {}),
  });
}
