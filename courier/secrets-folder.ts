/**
 * @module Folder apps' secrets: `<secrets folder>/<app>.json`, kept outside the synced root so that they never
 * sync, read whenever the app is loaded (docs/courier.md).
 */
import { realpath } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { EdgeError } from '../base/errors.ts';
import type { AppEnv } from '../runtime/app-env.ts';
import { readSecretsFile } from '../runtime/secrets-file.ts';

export interface SecretsFolder {
  /** Where the app's secrets file is, whether or not there is one. */
  file(app: string): string;
  /** The app's secrets; none when it has no file. */
  read(app: string): Promise<AppEnv | undefined>;
}

/**
 * The secrets folder `dir` of the courier serving `root` (a real path); INVALID_INPUT when it lies inside the root,
 * where a sync client would upload every secret in it.
 * @example const secrets = await secretsFolder(join(stateDir, 'secrets'), root)
 */
export async function secretsFolder(dir: string, root: string): Promise<SecretsFolder> {
  const absolute = resolve(dir);
  const real = await realpath(absolute).catch(() => absolute);
  if (real === root || real.startsWith(root + sep)) {
    throw new EdgeError('INVALID_INPUT', `the secrets folder ${real} is inside the synced root ${root}; it must live outside, or its files would sync`);
  }
  const file = (app: string) => join(real, `${app}.json`);
  return { file, read: (app) => readSecretsFile(file(app), { optional: true }) };
}
