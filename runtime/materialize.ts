/** @module Writes a loaded app into a sandbox's app folder: the functions as ES modules and its installed dependencies. */
import { copyFile, link, mkdir, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedApp } from './app.ts';

/**
 * Dependencies are hard-linked rather than copied: a sandbox per app version would otherwise copy
 * the whole node_modules tree on every cold start. Across file systems it falls back to copying.
 */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o755 });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await linkTree(source, target);
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else await link(source, target).catch(() => copyFile(source, target));
  }
}

/** Fills `targetDir` so that `functions/<name>.mjs` runs with the app's dependencies resolvable. */
export async function materializeApp(app: LoadedApp, targetDir: string, depsDir: string | undefined): Promise<void> {
  const functionsDir = join(targetDir, 'functions');
  await mkdir(functionsDir, { recursive: true, mode: 0o755 });
  await Promise.all([...app.functions.values()].map((fn) => writeFile(join(functionsDir, `${fn.name}.mjs`), fn.code, { mode: 0o644 })));
  if (depsDir) await linkTree(join(depsDir, 'node_modules'), join(targetDir, 'node_modules'));
}
