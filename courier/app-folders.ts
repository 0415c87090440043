/**
 * @module Gives each app folder of the root its `requests/` and `results/` folders as soon as the courier sees the
 * app, so a folder user finds where to drop requests and where results come. An app is a real folder holding a real
 * `functions/` folder, the same test that answers a request anywhere else NOT_AN_APP: other folders of a synced
 * root (notes, photos, a project with a package.json) are never written into.
 */
import { lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The folders every app gets. */
export const appFolders = ['requests', 'results'] as const;

const isRealFolder = (path: string) =>
  lstat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );

/**
 * Makes the missing ones of `appFolders` in folder `app` of `root` (whose path is real: the courier resolved it)
 * when that is an app; resolves with those it made, relative to the root. lstat, never stat: an app folder or
 * `functions/` that is a symlink may lead out of the root, and is no app here. Whatever already stands at a
 * folder's name (a folder, a file, a symlink) is left as it is.
 * @example await makeAppFolders('/home/ada/Dropbox/edge', 'shop') // ['shop/requests', 'shop/results']
 */
export async function makeAppFolders(root: string, app: string): Promise<string[]> {
  const appDir = join(root, app);
  if (!(await isRealFolder(appDir)) || !(await isRealFolder(join(appDir, 'functions')))) return [];
  const made: string[] = [];
  for (const folder of appFolders) {
    try {
      await mkdir(join(appDir, folder));
      made.push(join(app, folder));
    } catch (error) {
      // There already, or the app went away meanwhile: nothing to make.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOENT') throw error;
    }
  }
  return made;
}
