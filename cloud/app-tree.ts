/**
 * @module An app record as a folder of files: app.json made from its settings and endpoints, package.json, its
 * functions and its other files. The one rendering behind the folder the cloud runs, the file routes and bundles,
 * so that an edge run of a bundle computes the cloud's call keys.
 */
import { createHash } from 'node:crypto';
import { settingsOf, type AppConfig } from '../runtime/app-config.ts';
import type { AppFileRecord, AppRecord, FunctionRecord, VersionContent, VersionFunction } from './data.ts';

/** A file of the tree: text the record holds, or a blob of the store. */
export type TreeEntry = { path: string; text: string } | { path: string; blob: AppFileRecord };

/** A file as the file routes list it. */
export interface TreeFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * Whose view: the owner's is the whole app, with the description and endpoints in app.json. Anyone else's holds the
 * public functions and every file that is not a function, and an app.json naming only those functions.
 */
export type TreeView = 'owner' | 'public';

export const functionPath = (fn: Pick<FunctionRecord, 'name' | 'language'>) => `functions/${fn.name}.${fn.language}`;

/** A function's name, language and settings: what app.json and its path say of it. */
type FunctionPart = Omit<FunctionRecord, 'code' | 'updatedAt'>;

/** The parts of an app its folder is made of, whichever way its functions' code is held: as text (a record) or by hash (a version). */
type Shipped<F extends FunctionPart> = Pick<AppRecord, 'description' | 'packageJson' | 'env' | 'network' | 'schedules' | 'files' | 'endpoints' | 'appJson'> & {
  functions: F[];
};

function appJson<F extends FunctionPart>(app: Shipped<F>, functions: F[], view: TreeView): string {
  // A folder app's own text: it says what the record's settings say, and keeps the folder's bytes (data.ts).
  if (view === 'owner' && app.appJson !== undefined) return app.appJson;
  const config: AppConfig = {};
  if (view === 'owner' && app.description !== '') config.description = app.description;
  // Plain settings, not secrets: every view has them, as a function of any view may read them.
  if (app.env && Object.keys(app.env).length > 0) config.env = app.env;
  // Every view: a public function runs with its app's network wherever it runs.
  if (app.network) config.network = app.network;
  config.functions = Object.fromEntries(functions.map((fn) => [fn.name, settingsOf(fn)]));
  if (view === 'owner' && app.endpoints.length > 0) {
    config.endpoints = app.endpoints.map(({ method, path, function: fn, public: open, response }) => ({
      method,
      path,
      function: fn,
      public: open,
      ...(response ? { response } : {}),
    }));
  }
  // The owner's only, as endpoints: their inputs are the owner's, and they name functions anyone else may not see.
  if (view === 'owner' && app.schedules) config.schedules = app.schedules;
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * The app's files, sorted by path.
 * @example for (const entry of renderTree(app, 'owner')) console.info(entry.path)
 */
export function renderTree(app: AppRecord, view: TreeView): TreeEntry[] {
  return treeOf(app, view, (fn) => ({ path: functionPath(fn), text: fn.code }));
}

/**
 * A version's files, sorted by path: the owner's view of the app it was, its functions' code as blobs. Its tree hash
 * is the one renderTree gives the record holding the same content.
 */
export function renderVersion(content: VersionContent): TreeEntry[] {
  return treeOf(content, 'owner', (fn: VersionFunction) => {
    const path = functionPath(fn);
    return { path, blob: { path, sha256: fn.codeSha256, size: fn.codeBytes } };
  });
}

function treeOf<F extends FunctionPart>(app: Shipped<F>, view: TreeView, codeOf: (fn: F) => TreeEntry): TreeEntry[] {
  const functions = view === 'owner' ? app.functions : app.functions.filter((fn) => fn.public);
  const entries: TreeEntry[] = [{ path: 'app.json', text: appJson(app, functions, view) }];
  if (app.packageJson !== null) entries.push({ path: 'package.json', text: app.packageJson });
  for (const fn of functions) entries.push(codeOf(fn));
  for (const file of app.files) entries.push({ path: file.path, blob: file });
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** An entry's path, size and hash; text is hashed as its UTF-8 bytes. */
export function describeEntry(entry: TreeEntry): TreeFile {
  if ('blob' in entry) return { path: entry.path, size: entry.blob.size, sha256: entry.blob.sha256 };
  return { path: entry.path, size: Buffer.byteLength(entry.text), sha256: createHash('sha256').update(entry.text).digest('hex') };
}

/** Compared by content: a record's strings are the same objects from call to call, so this is cheap when nothing changed. */
export function sameTree(a: TreeEntry[], b: TreeEntry[]): boolean {
  return (
    a.length === b.length &&
    a.every((entry, i) => {
      const other = b[i]!;
      if (entry.path !== other.path) return false;
      if ('blob' in entry) return 'blob' in other && entry.blob.sha256 === other.blob.sha256;
      return 'text' in other && entry.text === other.text;
    })
  );
}
