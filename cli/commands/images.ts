/** @module `edgecourier images build`: builds the courier and cloud images from this checkout, on the local engine, with no registry. */
import type { Command } from 'commander';
import { guarded, printResult, progress } from '../output.ts';

export function registerImages(program: Command): void {
  const images = program.command('images').description('Container images of the edgecourier services.');
  images
    .command('build')
    .description('Build the courier and cloud images (on the function base image) where missing, and print their references.')
    .option('--json', 'print JSON: { courier, cloud }, the two image references')
    .addHelpText('after', '\nImages are tagged by a hash of what goes in them, so running this again after no change builds nothing.')
    .action(
      guarded(async (options: { json?: boolean }) => {
        const [{ ensureEngine }, { ensureServiceImages }] = await Promise.all([import('../../docker/engine.ts'), import('../../deploy/service-images.ts')]);
        const docker = await ensureEngine({ log: progress });
        const built = await ensureServiceImages(docker, { log: progress });
        printResult(options.json, built, `courier image: ${built.courier}\ncloud image:   ${built.cloud}`);
      }),
    );
}
