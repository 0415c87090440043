/** @module `edgecourier pull`: downloads a cloud app as a folder: the whole of one of yours, or a function with the rest of its app, which `edgecourier run --local` runs. */
import type { Command } from 'commander';
import { readdir } from 'node:fs/promises';
import { EdgeError } from '../../base/errors.ts';
import { cloudClient, type CloudClient } from '../cloud-client.ts';
import { fail, printJson, progress } from '../output.ts';

/** Your own apps by name or id; anyone's public functions by app id, logged in or not. */
async function clientAndAppId(app: string): Promise<{ client: CloudClient; appId: string }> {
  const [{ loadCredentials }, { findApp }] = await Promise.all([import('../credentials.ts'), import('../session.ts')]);
  const credentials = await loadCredentials().catch(() => undefined);
  const client = cloudClient(credentials?.url ?? process.env.EDGECOURIER_URL ?? 'http://localhost:8080', credentials?.token);
  if (app.startsWith('app_')) return { client, appId: app };
  return { client, appId: (await findApp(client, app)).id };
}

/** Every file of your app (of its active version, or of `version`), byte for byte, one request each. */
async function pullApp(client: CloudClient, appId: string, dir: string, version: string | undefined): Promise<number> {
  const { writeAppFile } = await import('../app-bundle.ts');
  let base = `/api/v1/apps/${appId}`;
  let files: Array<{ path: string }>;
  if (version === undefined) ({ files } = await client.request<{ files: Array<{ path: string }> }>('GET', `${base}/files`));
  else {
    const shown = await client.request<{ id: string; files: Array<{ path: string }> }>('GET', `${base}/versions/${encodeURIComponent(version)}`);
    // By its full id from here on: a tag or a short id names it only as long as nothing changes.
    base = `${base}/versions/${shown.id}`;
    files = shown.files;
  }
  for (const { path } of files) await writeAppFile(dir, path, await client.download(`${base}/files/${encodeURIComponent(path)}`));
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
    .option('--version <version>', 'every file of that version of your app (a tag, an id or its first 7 or more digits), not of the active one')
    .option('--json', 'also print { app, dir, files } as JSON: the app pulled, the folder written and how many files it holds')
    .addHelpText(
      'after',
      [
        '',
        '  edgecourier pull shop ./shop           every file of your app shop, as `edgecourier deploy ./shop` sends them back',
        '  edgecourier pull shop ./v1 --version 1.0.0   every file of its version tagged 1.0.0 (`edgecourier versions shop`)',
        "  edgecourier pull app_5b0e… greet ./g   a public function of anyone's app, to run at the edge",
        '',
        "The call keys of a local run match the cloud's, so `run --local --save-results r.json` then",
        '`edgecourier invoke <app> <function> --precomputed r.json` lets the cloud skip that work.',
      ].join('\n'),
    )
    .action(async (app: string, functionOrDir: string, maybeDir: string | undefined, options: { version?: string; json?: boolean }) => {
      const [fn, dir] = maybeDir === undefined ? [undefined, functionOrDir] : [functionOrDir, maybeDir];
      try {
        if (fn !== undefined && options.version !== undefined)
          throw new EdgeError('INVALID_INPUT', "--version pulls a whole app of yours: leave out the function (a function's bundle is of the active version)");
        if ((await readdir(dir).catch(() => [])).length > 0) throw new EdgeError('INVALID_INPUT', `${dir} is not empty; pull into a new folder`);
        const { client, appId } = await clientAndAppId(app);
        if (fn === undefined) {
          const which = options.version === undefined ? '' : ` (version ${options.version})`;
          const files = await pullApp(client, appId, dir, options.version);
          progress(`wrote ${files} files of app ${app}${which} to ${dir}`);
          if (options.json) printJson({ app: appId, dir, files });
          return;
        }
        const { writeAppBundle } = await import('../app-bundle.ts');
        const written = await writeAppBundle(dir, await client.request('GET', `/api/v1/apps/${appId}/functions/${fn}/code`));
        progress(`wrote ${written.files} files of app ${written.name} to ${dir}; run it with: edgecourier run ${dir} ${fn} --local`);
        if (options.json) printJson({ app: appId, dir, files: written.files });
      } catch (error) {
        fail(error);
      }
    });
}
