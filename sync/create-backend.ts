/** @module The one place that picks a sync back end, with credentials from the environment. */
import type { SyncBackend } from './backend.ts';
import { dropboxBackendFromEnv } from './dropbox/dropbox-backend.ts';
import { oneDriveBackendFromEnv } from './onedrive/onedrive-backend.ts';

export type BackendKind = SyncBackend['kind'];

/**
 * A back end for the folder `rootPath` of the service `kind`.
 * @example const backend = createBackend('dropbox', '/edge', (line) => logger.info(line))
 */
export function createBackend(kind: BackendKind, rootPath: string, log: (line: string) => void): SyncBackend {
  return kind === 'dropbox' ? dropboxBackendFromEnv(rootPath, { log }) : oneDriveBackendFromEnv(rootPath, { log });
}
