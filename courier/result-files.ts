/** @module Writes result and pending files beside requests, atomically: a temp name in the same folder, then a rename. */
import { lstat, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EdgeError, type ErrorBody } from '../base/errors.ts';
import { writeFileAtomicSync } from '../base/atomic-file.ts';
import type { CallEntries, InvocationLog, InvocationStats } from '../runtime/protocol.ts';
import type { RetryState } from './retry-chains.ts';

/**
 * What `results/<id>.json` holds. `request.sha256` names the request content it answers (for a schedule's run, its
 * function and input); a schedule's run also names the schedule and the slot it ran for.
 */
export type ResultFile = (
  | { ok: true; output: unknown; key: string; cache?: CallEntries; logs: InvocationLog[]; stats: InvocationStats; request: { sha256: string } }
  | { ok: false; error: ErrorBody; logs?: InvocationLog[]; stats?: InvocationStats; request: { sha256: string } }
) & {
  /** The answered invocation's id, as the cloud's answers carry one; the courier's log line names it too. */
  activationId?: string;
  schedule?: { name: string; slot: string };
};

/**
 * What `results/<id>.pending.json` holds while a request waits or runs long. `retry` is there once a try
 * failed for the platform's sake: how many tries, the last error, when the next try is, and until when.
 */
export interface PendingFile {
  status: 'installing dependencies' | 'running' | 'waiting to retry';
  since: string;
  request: { sha256: string };
  retry?: RetryState;
}

/** Results folders known to exist as real folders, so a backlog does not ask the file system for each result. */
const madeFolders = new Set<string>();

/** Makes `folder` unless it is there; a symlink in its place would lead the writes out of the root. */
async function makeFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  if (!(await lstat(folder)).isDirectory()) {
    throw new EdgeError('INVALID_INPUT', `${folder} is not a folder (a symlink?); the courier writes results only into a real results/ folder`);
  }
  madeFolders.add(folder);
}

async function writeAtomically(path: string, value: unknown): Promise<void> {
  const folder = dirname(path);
  if (!madeFolders.has(folder)) await makeFolder(folder);
  const text = JSON.stringify(value, null, 2) + '\n';
  try {
    writeFileAtomicSync(path, text);
  } catch (error) {
    // The folder was removed since: make it again, once.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await makeFolder(folder);
    writeFileAtomicSync(path, text);
  }
}

export function writeResult(path: string, result: ResultFile): Promise<void> {
  return writeAtomically(path, result);
}

export function writePending(path: string, pending: PendingFile): Promise<void> {
  return writeAtomically(path, pending);
}

export async function removePending(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** The request hash a result file answers, or undefined when there is none or it cannot be read. */
export async function answeredHash(path: string): Promise<string | undefined> {
  try {
    const result = JSON.parse(await readFile(path, 'utf8')) as { request?: { sha256?: unknown } };
    return typeof result.request?.sha256 === 'string' ? result.request.sha256 : undefined;
  } catch {
    return undefined;
  }
}
