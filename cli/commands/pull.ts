/** @module `edgecourier pull`: downloads a function with the rest of its app as a folder that `edgecourier run --local` runs. */
import type { Command } from 'commander';
import { readdir } from 'node:fs/promises';
import { EdgeError } from '../../base/errors.ts';
import { cloudClient, type CloudClient } from '../cloud-client.ts';
import { fail, progress } from '../output.ts';

/** Your own apps by name or id; anyone's public functions by app id, logged in or not. */
async function clientAndAppId(app: string): Promise<{ client: CloudClient; appId: string }> {
  const [{ loadCredentials }, { findApp }] = await Promise.all([import('../credentials.ts'), import('../session.ts')]);
  const credentials = await loadCredentials().catch(() => undefined);
  const client = cloudClient(credentials?.url ?? process.env.EDGECOURIER_URL ?? 'http://localhost:8080', credentials?.token);
  if (app.startsWith('app_')) return { client, appId: app };
  return { client, appId: (await findApp(client, app)).id };
}

export function registerPull(program: Command): void {
  program
    .command('pull')
    .description("Download <function> with its app's other functions and package.json into <dir>, for `edgecourier run <dir> <function> --local`.")
    .argument('<app>', "your app name or id, or the id of anyone's app whose function is public")
    .argument('<function>', 'function name')
    .argument('<dir>', 'the folder to write (must be empty or missing)')
    .addHelpText(
      'after',
      "\nThe call keys of a local run match the cloud's, so `run --local --save-results r.json` then\n`edgecourier invoke <app> <function> --precomputed r.json` lets the cloud skip that work.",
    )
    .action(async (app: string, fn: string, dir: string) => {
      try {
        if ((await readdir(dir).catch(() => [])).length > 0) throw new EdgeError('INVALID_INPUT', `${dir} is not empty; pull into a new folder`);
        const { client, appId } = await clientAndAppId(app);
        const { writeAppBundle } = await import('../app-bundle.ts');
        const written = await writeAppBundle(dir, await client.request('GET', `/api/v1/apps/${appId}/functions/${fn}/code`));
        progress(`wrote ${written.files} files of app ${written.name} to ${dir}; run it with: edgecourier run ${dir} ${fn} --local`);
      } catch (error) {
        fail(error);
      }
    });
}
