/** @module Reads JSON given on the command line, inline or as @file, with errors that say which option was wrong. */
import { readFile } from 'node:fs/promises';
import { EdgeError } from '../base/errors.ts';
import type { CallEntries } from '../runtime/protocol.ts';

async function readText(option: string, value: string, file: boolean): Promise<string> {
  if (!file) return value;
  const path = value.startsWith('@') ? value.slice(1) : value;
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new EdgeError('INVALID_INPUT', `${option}: cannot read ${path} (${error.code ?? error.message})`);
  });
}

/** Parses `value` as JSON; `@path` (or any value when `file` is set) names a file holding it. */
export async function parseJsonArg(option: string, value: string, file = value.startsWith('@')): Promise<unknown> {
  const text = await readText(option, value, file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EdgeError('INVALID_INPUT', `${option}: not valid JSON (${(error as Error).message})`);
  }
}

/** Reads a file of call entries (`{ "<call key>": <output>, ... }`), as written in `cache` or `results`. */
export async function readEntries(option: string, path: string): Promise<CallEntries> {
  // A plain check, not a schema: `run` reads these before it knows whether it needs the runtime at all.
  const entries = await parseJsonArg(option, path, true);
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries))
    throw new EdgeError('INVALID_INPUT', `${option}: ${path} must hold a JSON object of call key → output`);
  return entries as CallEntries;
}
