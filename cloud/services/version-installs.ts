/**
 * @module How each version's dependencies installed, once known: the runtime's installer tells (install-watch.ts),
 * and the outcome is kept on every version of the app with that package.json (the install is one per its content),
 * with npm's error output on a failure and the lock file npm wrote on a success.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../../base/errors.ts';
import type { BlobStore } from '../blob-store.ts';
import type { DependencyOutcome } from '../data.ts';
import type { AppStore } from '../stores/apps.ts';
import type { VersionStore } from '../stores/versions.ts';

/** What an install came to: the folder holding node_modules, or the error. */
export type InstallResult = { ok: true; dir: string } | { ok: false; error: unknown };

/** The end of a failed install's message is kept, where npm's own words are. */
export const MAX_INSTALL_LOG_BYTES = 8 * 1024;

/** A larger lock file is not kept. */
export const MAX_LOCK_FILE_BYTES = 10 * 1024 * 1024;

export interface VersionInstallsDeps {
  apps: Pick<AppStore, 'byId'>;
  versions: VersionStore;
  blobs: Pick<BlobStore, 'holder'>;
  now?: () => number;
}

/** Records that the dependencies of app `appId` declared by `packageJson` installed so. */
export type InstallRecorder = (appId: string, packageJson: string, result: InstallResult) => Promise<void>;

function logOf(error: unknown): string {
  const text = error instanceof EdgeError ? error.message : String(error);
  const bytes = Buffer.from(text);
  return bytes.byteLength <= MAX_INSTALL_LOG_BYTES ? text : `…${bytes.subarray(-MAX_INSTALL_LOG_BYTES).toString('utf8')}`;
}

async function lockFileIn(dir: string): Promise<string | undefined> {
  const text = await readFile(join(dir, 'package-lock.json'), 'utf8').catch(() => undefined);
  return text !== undefined && Buffer.byteLength(text) <= MAX_LOCK_FILE_BYTES ? text : undefined;
}

/**
 * The recorder over the app, version and blob stores. Only a change is written: the installer is asked at every load
 * of an app, and answers from its cache after the first time.
 * @example const record = versionInstalls({ apps, versions, blobs }); await record(app.id, packageJson, { ok: true, dir })
 */
export function versionInstalls(deps: VersionInstallsDeps): InstallRecorder {
  const now = deps.now ?? Date.now;
  return async (appId, packageJson, result) => {
    const log = result.ok ? '' : logOf(result.error);
    const outcome = result.ok ? 'installed' : 'failed';
    const stale = () =>
      deps.versions
        .list(appId)
        .filter((version) => version.content.packageJson === packageJson && (version.dependencies?.outcome !== outcome || version.dependencies.log !== log));
    if (!deps.apps.byId(appId) || stale().length === 0) return;
    const holder = deps.blobs.holder();
    try {
      const lock = result.ok ? await lockFileIn(result.dir) : undefined;
      const lockFile = lock === undefined ? undefined : await holder.put(lock);
      const recorded: DependencyOutcome = { outcome, at: new Date(now()).toISOString(), log, ...(lockFile && { lockFile }) };
      // Found again: versions may have come and gone while the lock was read.
      const targets = stale();
      const before = targets.map((version) => version.dependencies);
      for (const version of targets) version.dependencies = recorded;
      try {
        await deps.versions.save();
      } catch (error) {
        targets.forEach((version, i) => (version.dependencies = before[i]));
        throw error;
      }
    } finally {
      holder.release();
    }
  };
}
