/**
 * @module `edgecourier profile`: performance profiles of function versions, as a table or JSON: a cloud app's, or with
 * `--root` those a lone courier keeps of a root's folder apps in its state folder.
 */
import type { Command } from 'commander';
import type { ProfileList } from '../../api/profiles.ts';
import { EdgeError } from '../../base/errors.ts';
import { guarded, printJson, printResult } from '../output.ts';

interface ProfileOptions {
  version?: string;
  root?: string;
  state?: string;
  json?: boolean;
}

/** A cloud app's profiles (yours, or one shared with you for READ), filtered as the route filters them. */
async function showCloudProfiles(appName: string, fn: string | undefined, options: ProfileOptions): Promise<void> {
  const [{ findApp, loggedInClient }, { profilePaths }, { profileTable }] = await Promise.all([
    import('../session.ts'),
    import('../../api/profiles.ts'),
    import('../profile-table.ts'),
  ]);
  const client = await loggedInClient();
  const app = await findApp(client, appName);
  const query = new URLSearchParams({ ...(fn && { function: fn }), ...(options.version && { version: options.version }) }).toString();
  const { profiles } = await client.request<ProfileList>('GET', `${profilePaths.app(app.id)}${query && `?${query}`}`);
  if (options.json) printJson(profiles);
  else process.stdout.write(profileTable(profiles));
}

/** The profiles a courier keeps of the root's folder apps, read from its state folder. */
async function showRootProfiles(root: string, app: string | undefined, fn: string | undefined, options: ProfileOptions): Promise<void> {
  if (options.version !== undefined)
    throw new EdgeError('INVALID_INPUT', '--version is for a cloud app; a root keeps every version of its folder apps apart already');
  const { readRootProfiles, rootProfilesText } = await import('../root-profiles.ts');
  const query = { root, state: options.state, app, fn };
  const profiles = await readRootProfiles(query);
  printResult(options.json, profiles, rootProfilesText(profiles, query));
}

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description(
      "Show the performance profiles of a cloud app's function versions, or with --root of a courier's folder apps: calls, errors, durations, cold starts, memory, bytes, places.",
    )
    .argument('[app]', 'app name or id (with --root: only this app folder of the root)')
    .argument('[function]', 'only this function')
    .option('--version <version>', "only this version: a function's version, or the app's version (its tag, its id or the first 7 or more digits of it)")
    .option('--root <dir>', "a courier's synced root: the profiles it keeps of the root's folder apps in its state folder (docs/courier.md)")
    .option('--state <dir>', "with --root: the courier's --state (default: $EDGECOURIER_STATE or ~/.local/state/edgecourier)")
    .option('--json', 'print the profiles as JSON (with --root: { root, file, apps: [{ app, profiles }] })')
    .addHelpText(
      'after',
      [
        '',
        'One line per function version, the most recently called first: its calls wherever they ran (cloud, courier, edge),',
        'the share that failed, durations p50/p95/p99 of the calls whose body ran, the share of those that started a sandbox',
        'and how long that took, the most memory its thread held (MB), the mean input and output size (bytes), and where',
        'it ran. docs/functions.md, "Profiles", says what each figure counts.',
      ].join('\n'),
    )
    .action(
      guarded(async (app: string | undefined, fn: string | undefined, options: ProfileOptions) => {
        if (options.root !== undefined) return showRootProfiles(options.root, app, fn, options);
        if (app === undefined) throw new EdgeError('INVALID_INPUT', 'name a cloud app, or give --root <dir> for the folder apps a courier serves');
        return showCloudProfiles(app, fn, options);
      }),
    );
}
