/**
 * @module What a version of an app is: the content of its record that makes its folder, taken whole (code by hash),
 * named by the tree hash of its files (the hash a function's version in the runtime covers), and put back whole into
 * a record by a rollback; and a change between two versions in words.
 */
import { createHash } from 'node:crypto';
import { treeHash } from '../runtime/app-files.ts';
import { describeEntry, renderVersion, type TreeFile } from './app-tree.ts';
import type { AppRecord, FunctionRecord, VersionContent } from './data.ts';

/** A record's content as a version holds it, with its files and their tree hash. */
export interface Snapshot {
  /** The tree hash of `files`: the version's id. */
  id: string;
  content: VersionContent;
  files: TreeFile[];
  /** Bytes of all files together. */
  size: number;
}

/** The parts of a record a version sets when it is made active. */
export type RestoredParts = Pick<AppRecord, 'description' | 'packageJson' | 'env' | 'network' | 'schedules' | 'functions' | 'files' | 'endpoints' | 'appJson'>;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The files of a version, sorted by path. */
export const versionFiles = (content: VersionContent): TreeFile[] => renderVersion(content).map(describeEntry);

/**
 * The app's content now, as a version would hold it: copied, so that later edits of the record never reach it.
 * `hashOf` gives the SHA-256 of a function's code (a caller may remember those it worked out before).
 * @example const { id } = snapshotOf(app) // the same content, the same id
 */
export function snapshotOf(app: AppRecord, hashOf: (code: string) => string = sha256): Snapshot {
  const content: VersionContent = {
    description: app.description,
    packageJson: app.packageJson,
    ...(app.env && { env: { ...app.env } }),
    ...(app.network && { network: { ...app.network } }),
    ...(app.schedules && { schedules: structuredClone(app.schedules) }),
    functions: app.functions.map(({ code, updatedAt: _, ...settings }) => ({ ...settings, codeSha256: hashOf(code), codeBytes: Buffer.byteLength(code) })),
    files: app.files.map((file) => ({ ...file })),
    endpoints: app.endpoints.map((endpoint) => ({ ...endpoint })),
    ...(app.appJson !== undefined && { appJson: app.appJson }),
  };
  const files = versionFiles(content);
  return { id: treeHash(files), content, files, size: files.reduce((sum, file) => sum + file.size, 0) };
}

/**
 * The record's parts as the version has them, each function with its code from `codes` (text by SHA-256); put in a
 * record, they render the version's very files, so the record's tree hash is the version's id again.
 */
export function restoredParts(content: VersionContent, codes: ReadonlyMap<string, string>, at: string): RestoredParts {
  const functions = content.functions.map(({ codeSha256, codeBytes: _, ...settings }): FunctionRecord => {
    const code = codes.get(codeSha256);
    if (code === undefined) throw new Error(`the code of function "${settings.name}" (${codeSha256}) was not read`);
    return { ...settings, code, updatedAt: at };
  });
  return {
    description: content.description,
    packageJson: content.packageJson,
    env: { ...content.env },
    ...(content.network && { network: { ...content.network } }),
    ...(content.schedules && { schedules: structuredClone(content.schedules) }),
    functions,
    files: content.files.map((file) => ({ ...file })),
    endpoints: content.endpoints.map((endpoint) => ({ ...endpoint })),
    ...(content.appJson !== undefined && { appJson: content.appJson }),
  };
}

/** At most this many paths are named in a summary; the rest are counted. */
const NAMED_PATHS = 5;

function listed(verb: string, paths: string[]): string | undefined {
  if (paths.length === 0) return undefined;
  const named = paths.slice(0, NAMED_PATHS).join(', ');
  return `${verb} ${named}${paths.length > NAMED_PATHS ? ` and ${paths.length - NAMED_PATHS} more` : ''}`;
}

/**
 * What changed from `before` (the files of the version active until now; none for an app's first) to `after`.
 * @example describeChange(v1Files, v2Files) // "changed functions/greet.js; added templates/page.html"
 */
export function describeChange(before: TreeFile[] | undefined, after: TreeFile[]): string {
  if (!before) return `the app's first version: ${after.length} file${after.length === 1 ? '' : 's'}`;
  const old = new Map(before.map((file) => [file.path, file.sha256]));
  const now = new Set(after.map((file) => file.path));
  const parts = [
    listed(
      'changed',
      after.filter((file) => old.has(file.path) && old.get(file.path) !== file.sha256).map((file) => file.path),
    ),
    listed(
      'added',
      after.filter((file) => !old.has(file.path)).map((file) => file.path),
    ),
    listed(
      'removed',
      before.filter((file) => !now.has(file.path)).map((file) => file.path),
    ),
  ];
  return parts.filter((part) => part !== undefined).join('; ');
}
