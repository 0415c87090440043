/** @module Test helpers for the courier: a temp synced root with apps from the fixtures, and waiting for result files. */
import { cp, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PendingFile, ResultFile } from '../../courier/result-files.ts';
import { fixturesDir } from './runtime.ts';
import { tempFolder } from './temp.ts';
import { waitFor } from './wait.ts';

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
export function waitForResult(root: string, app: string, id: string, timeoutMs = 30_000): Promise<ResultFile> {
  const path = join(root, app, 'results', `${id}.json`);
  return waitFor(
    `a result at ${path}`,
    () =>
      readFile(path, 'utf8').then(
        (text) => JSON.parse(text) as ResultFile,
        () => undefined,
      ),
    { timeoutMs, everyMs: 25 },
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `results/<id>.pending.json` parsed, or undefined while there is none (or it is being replaced). */
export async function readPending(root: string, app: string, id: string): Promise<PendingFile | undefined> {
  const text = await readFile(join(root, app, 'results', `${id}.pending.json`), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as PendingFile);
}
