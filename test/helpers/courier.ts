/** @module Test helpers for the courier: a temp synced root with apps from the fixtures, and waiting for result files. */
import { cp, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultFile } from '../../courier/result-files.ts';
import { fixturesDir } from './runtime.ts';
import { tempFolder } from './temp.ts';

export interface TempRoot {
  root: string;
  state: string;
}

/** A synced root holding copies of the named fixture apps, and a state folder beside it. */
export async function makeRoot(...apps: string[]): Promise<TempRoot> {
  const base = await tempFolder('ec-root');
  const root = join(base, 'synced');
  await mkdir(root);
  for (const app of apps) await cp(join(fixturesDir, 'apps', app), join(root, app), { recursive: true });
  return { root, state: join(base, 'state') };
}

/** Drops a request the way a careful writer does: a temp name, then a rename. */
export async function dropRequest(root: string, app: string, id: string, request: unknown): Promise<void> {
  const dir = join(root, app, 'requests');
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${id}.json.tmp`);
  await writeFile(temp, typeof request === 'string' ? request : JSON.stringify(request));
  await rename(temp, join(dir, `${id}.json`));
}

/** Waits until `results/<id>.json` exists and returns it parsed. */
export async function waitForResult(root: string, app: string, id: string, timeoutMs = 30_000): Promise<ResultFile> {
  const path = join(root, app, 'results', `${id}.json`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text !== undefined) return JSON.parse(text) as ResultFile;
    if (Date.now() > deadline) throw new Error(`no result at ${path} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
