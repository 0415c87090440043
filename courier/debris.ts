/** @module Names the courier never treats as user files: sync-client debris, editor temp files and hidden files. */
import { basename } from 'node:path';

const debrisPatterns: RegExp[] = [
  /^\./, // hidden files, .DS_Store, .~lock files, .dropbox, .tmp-* of our own atomic writes
  /^~\$/, // Office owner files
  /\.tmp$/i,
  /\.part(ial)?$/i,
  /^desktop\.ini$/i,
  /^thumbs\.db$/i,
  /^icon\r$/i,
  /conflicted copy/i, // Dropbox: "x (Ada's conflicted copy 2026-11-23).json"
  /\(case conflict( \d+)?\)/i,
];

/** Whether a file or folder name is debris of a sync client or editor, never a request or part of an app. */
export function isDebris(path: string): boolean {
  const name = basename(path);
  return debrisPatterns.some((pattern) => pattern.test(name));
}
