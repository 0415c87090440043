/** @module `edgecourier pull`: downloads a cloud app as a folder: the whole of one of yours, or a function with the rest of its app, which `edgecourier run --local` runs. */
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

/** Every file of your app, byte for byte, one request each. */
async function pullApp(client: CloudClient, appId: string, dir: string): Promise<number> {
  const { writeAppFile } = await import('../app-bundle.ts');
  const { files } = await client.request<{ files: Array<{ path: string }> }>('GET', `/api/v1/apps/${appId}/files`);
  for (const { path } of files) await writeAppFile(dir, path, await client.download(`/api/v1/apps/${appId}/files/${encodeURIComponent(path)}`));
  return files.length;
}

export function registerPull(program: Command): void {
  program
    .command('pull')
    .description(
      'Download your app <app> into <dir>, every file of it; or, with <function>, the bundle holding it (the whole app for its owner, for anyone else its public functions and every file that is no function), for `edgecourier run <dir> <function> --local`.',
    )
    .argument('<app>', "your app name or id, or the id of anyone's app whose function is public")
    .argument('<functionOrDir>', 'the function to pull with its app; or, with no third argument, the folder to write')
    .argument('[dir]', 'the folder to write (must be empty or missing)')
    .addHelpText(
      'after',
      [
        '',
        '  edgecourier pull shop ./shop           every file of your app shop, as `edgecourier deploy ./shop` sends them back',
        "  edgecourier pull app_5b0e… greet ./g   a public function of anyone's app, to run at the edge",
        '',
        "The call keys of a local run match the cloud's, so `run --local --save-results r.json` then",
        '`edgecourier invoke <app> <function> --precomputed r.json` lets the cloud skip that work.',
      ].join('\n'),
    )
    .action(async (app: string, functionOrDir: string, maybeDir: string | undefined) => {
      const [fn, dir] = maybeDir === undefined ? [undefined, functionOrDir] : [functionOrDir, maybeDir];
      try {
        if ((await readdir(dir).catch(() => [])).length > 0) throw new EdgeError('INVALID_INPUT', `${dir} is not empty; pull into a new folder`);
        const { client, appId } = await clientAndAppId(app);
        if (fn === undefined) {
          progress(`wrote ${await pullApp(client, appId, dir)} files of app ${app} to ${dir}`);
          return;
        }
        const { writeAppBundle } = await import('../app-bundle.ts');
        const written = await writeAppBundle(dir, await client.request('GET', `/api/v1/apps/${appId}/functions/${fn}/code`));
        progress(`wrote ${written.files} files of app ${written.name} to ${dir}; run it with: edgecourier run ${dir} ${fn} --local`);
      } catch (error) {
        fail(error);
      }
    });
}
