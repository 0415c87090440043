/**
 * @module An app folder as the files a deploy sends: every file but the names the runtime passes over, each with the
 * SHA-256 of its bytes, checked against the cloud's caps before anything is sent.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../base/errors.ts';
import { APP_CAPS } from '../runtime/app-files.ts';
import { appPathProblem, isIgnoredPath } from '../runtime/app-paths.ts';

export interface FolderFile {
  /** Relative to the folder, `/`-separated. */
  path: string;
  bytes: Buffer;
  sha256: string;
}

/** Passed over with a word: the cloud installs from package.json alone and keeps no lock file. */
const NOT_SENT = new Set(['package-lock.json']);

async function walk(dir: string, rel: string, files: FolderFile[], note: (line: string) => void): Promise<void> {
  const entries = await readdir(join(dir, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (isIgnoredPath(path)) continue;
    if (NOT_SENT.has(path)) {
      note(`${path} is not sent: the cloud installs from package.json alone`);
      continue;
    }
    if (entry.isDirectory()) {
      await walk(dir, path, files, note);
      continue;
    }
    if (!entry.isFile()) throw new EdgeError('INVALID_INPUT', `${path} is not a file or a folder (a link, a socket…); a deploy sends files and folders only`);
    const problem = appPathProblem(path);
    if (problem) throw new EdgeError('INVALID_INPUT', `${path}: ${problem}`);
    const bytes = await readFile(join(dir, path));
    if (bytes.length > APP_CAPS.fileBytes)
      throw new EdgeError('INVALID_INPUT', `${path} is ${bytes.length} bytes; a file of an app may be at most ${APP_CAPS.fileBytes}`);
    files.push({ path, bytes, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
}

/**
 * The files of the app folder `dir`, sorted by path; `note` hears of files passed over for a reason worth telling.
 * @example const files = await readAppFolder('./shop', progress)
 */
export async function readAppFolder(dir: string, note: (line: string) => void): Promise<FolderFile[]> {
  const files: FolderFile[] = [];
  await walk(dir, '', files, note);
  const bytes = files.reduce((sum, file) => sum + file.bytes.length, 0);
  if (files.length > APP_CAPS.files || bytes > APP_CAPS.totalBytes)
    throw new EdgeError(
      'INVALID_INPUT',
      `${dir} holds ${files.length} files of ${bytes} bytes; an app holds at most ${APP_CAPS.files} files of ${APP_CAPS.totalBytes} bytes (node_modules, results, requests and dot files are not counted)`,
    );
  return files;
}
