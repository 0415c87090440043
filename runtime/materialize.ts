/** @module Writes a loaded app into a sandbox's app folder: every file at its own path, TypeScript compiled, and its installed dependencies. */
import { chmod, copyFile, link, mkdir, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AppFile } from './app-files.ts';
import type { LoadedApp } from './app.ts';

/**
 * Files are hard-linked rather than copied: a sandbox per app version would otherwise copy the whole app and
 * node_modules tree on every cold start. Across file systems it falls back to copying.
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

async function placeFile(file: AppFile, target: string): Promise<void> {
  if (file.compiled !== undefined) return writeFile(target, file.compiled, { mode: 0o644 });
  // A link shares the host file's mode: only a file every user may read serves the sandbox's unprivileged user.
  if (file.readableByAll && (await linked(file.hostPath, target))) return;
  await copyFile(file.hostPath, target);
  await chmod(target, 0o644);
}

/** Whether a hard link could be made; across file systems, or where the host forbids it, it cannot. */
function linked(from: string, to: string): Promise<boolean> {
  return link(from, to).then(
    () => true,
    () => false,
  );
}

/** Fills `targetDir` so that each function runs at its own path, beside the app's other files, with its dependencies resolvable. */
export async function materializeApp(app: LoadedApp, targetDir: string, depsDir: string | undefined): Promise<void> {
  const folders = new Set(app.files.map((file) => dirname(file.path)));
  for (const folder of [...folders].sort()) await mkdir(join(targetDir, folder), { recursive: true, mode: 0o755 });
  await Promise.all(app.files.map((file) => placeFile(file, join(targetDir, file.path))));
  if (depsDir) await linkTree(join(depsDir, 'node_modules'), join(targetDir, 'node_modules'));
}
