/** @module `edgecourier setup`: brings up the Docker engine and builds the function base image, so later commands start at once. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { defaultCacheDir } from '../../base/paths.ts';
import { fail, progress } from '../output.ts';

export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description('Make sure a Docker engine answers (as root on Debian: install docker.io and start dockerd) and build the base image from local files.')
    .option('--no-install', 'never install or start Docker; fail with advice instead')
    .action(async (options: { install: boolean }) => {
      try {
        const [{ ensureBaseImage }, { ensureEngine }, { buildHarness }] = await Promise.all([
          import('../../docker/base-image.ts'),
          import('../../docker/engine.ts'),
          import('../../runtime/harness-bundle.ts'),
        ]);
        const docker = await ensureEngine({ log: progress, installIfMissing: options.install });
        const version = await docker.version();
        progress(`Docker engine ${version.Version} answers`);
        const image = await ensureBaseImage(docker, await buildHarness(join(defaultCacheDir(), 'harness')), { log: progress });
        progress(`base image ${image} is ready`);
      } catch (error) {
        fail(error);
      }
    });
}
