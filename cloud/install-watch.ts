/**
 * @module The dependency installer as the cloud's runtime uses it, telling the outcome of every install it is asked
 * for (a cached one too) to a listener that keeps it on the app's versions; the call waits for none of it.
 */
import { basename } from 'node:path';
import type { Logger } from 'pino';
import type { DependencyInstaller } from '../runtime/deps.ts';
import type { InstallRecorder } from './services/version-installs.ts';

export type WatchedInstaller = Pick<DependencyInstaller, 'key' | 'ensure'>;

/**
 * `installer`, telling `record` each outcome for the app whose folder (`<appsDir>/<app id>`) was installed.
 * @example new AppRuntime({ installer: watchInstalls(installer, versionInstalls(deps), logger), … })
 */
export function watchInstalls(installer: WatchedInstaller, record: InstallRecorder, logger: Logger): WatchedInstaller {
  const tell = (appDir: string, packageJson: string, result: Parameters<InstallRecorder>[2]) => {
    record(basename(appDir), packageJson, result).catch((err: unknown) => logger.warn({ err, appDir }, 'could not record how dependencies installed'));
  };
  return {
    // The key is worked out from the same plan as the install: a package.json it refuses can never install.
    key: (manifest) =>
      installer.key(manifest).catch((error: unknown) => {
        tell(manifest.appDir, manifest.packageJson, { ok: false, error });
        throw error;
      }),
    async ensure(manifest) {
      try {
        const dir = await installer.ensure(manifest);
        tell(manifest.appDir, manifest.packageJson, { ok: true, dir });
        return dir;
      } catch (error) {
        tell(manifest.appDir, manifest.packageJson, { ok: false, error });
        throw error;
      }
    },
  };
}
