/** @module `edgecourier profile`: the performance profiles of a cloud app's function versions, as a table or JSON. */
import type { Command } from 'commander';
import type { ProfileList } from '../../api/profiles.ts';
import { fail, printJson } from '../output.ts';

interface ProfileOptions {
  version?: string;
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

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description("Show the performance profiles of a cloud app's function versions: calls, errors, durations, cold starts, memory, bytes, places.")
    .argument('<app>', 'app name or id')
    .argument('[function]', 'only this function')
    .option('--version <version>', "only this version: a function's version, or the app's version (its tag, its id or the first 7 or more digits of it)")
    .option('--json', 'print the profiles as JSON')
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
    .action(async (appName: string, fn: string | undefined, options: ProfileOptions) => {
      try {
        await showCloudProfiles(appName, fn, options);
      } catch (error) {
        fail(error);
      }
    });
}
