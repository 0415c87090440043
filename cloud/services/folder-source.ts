/**
 * @module The rule that a folder app's content changes only with its folder: the API's edits of it are refused, so the
 * endpoints never serve other code than the folder's requests run (docs/cloud.md, "Folder apps").
 */
import { EdgeError } from '../../base/errors.ts';
import type { AppRecord } from '../data.ts';

/** Throws APP_FROM_FOLDER when `app` is a folder app: its files, settings, endpoints, name and active version are the folder's. */
export function assertNotFromFolder(app: AppRecord): void {
  if (app.source !== 'folder') return;
  throw new EdgeError(
    'APP_FROM_FOLDER',
    `app "${app.name}" comes from a synced folder, which is its source: change the files in the folder (each change makes a new version), or copy it into an app of another name`,
  );
}
