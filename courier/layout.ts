/** @module The folder contract: what a path under the synced root is (a request, part of an app, or nothing of ours). */
import { sep } from 'node:path';
import { isDebris } from './debris.ts';

export type RootPath = { kind: 'request'; app: string; id: string } | { kind: 'app-file'; app: string } | { kind: 'ignored' };

/**
 * Request ids become result file names, so they stay plain; an id ending in ".pending" would collide
 * with another request's pending file (`results/<id>.pending.json`).
 */
const requestIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const reservedSuffix = /\.pending$/i;

/** Folders inside an app the courier never watches: its own output and installed packages. */
export const unwatchedAppFolders = new Set(['results', 'node_modules']);

/**
 * Classifies `relative`, a path relative to the synced root.
 * @example classify('shop/requests/order-1.json') // { kind: 'request', app: 'shop', id: 'order-1' }
 */
export function classify(relative: string): RootPath {
  const parts = relative.split(sep);
  if (parts.length < 2 || parts.some((part) => part === '..' || isDebris(part))) return { kind: 'ignored' };
  const [app, folder, name] = parts as [string, string, string | undefined];
  if (unwatchedAppFolders.has(folder)) return { kind: 'ignored' };
  if (folder === 'requests') {
    if (parts.length !== 3 || !name?.endsWith('.json')) return { kind: 'ignored' };
    const id = name.slice(0, -'.json'.length);
    return requestIdPattern.test(id) && !reservedSuffix.test(id) ? { kind: 'request', app, id } : { kind: 'ignored' };
  }
  return { kind: 'app-file', app };
}

/** Paths of one request's files, relative to the root. */
export function requestPaths(app: string, id: string) {
  return {
    request: [app, 'requests', `${id}.json`].join(sep),
    result: [app, 'results', `${id}.json`].join(sep),
    pending: [app, 'results', `${id}.pending.json`].join(sep),
  };
}
