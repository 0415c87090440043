/** @module `edgecourier profile --root`: performance profiles of function versions, here those a courier keeps of a root's folder apps. */
import type { Command } from 'commander';
import { EdgeError } from '../../base/errors.ts';
import { guarded, printResult } from '../output.ts';

interface ProfileOptions {
  root?: string;
  state?: string;
  json?: boolean;
}

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description(
      'Show the performance profile of each function version: calls, error rate, duration p50/p95/p99, cold starts, peak memory, input and output sizes, and where they ran.',
    )
    .argument('[app]', 'only this app (with --root: an app folder of the root)')
    .argument('[function]', 'only this function')
    .option('--root <dir>', "a courier's synced root: the profiles it keeps of the root's folder apps in its state folder (docs/courier.md)")
    .option('--state <dir>', "with --root: the courier's --state (default: $EDGECOURIER_STATE or ~/.local/state/edgecourier)")
    .option('--json', 'print JSON: { root, file, apps: [{ app, profiles }] }, a profile summary per version')
    .action(
      guarded(async (app: string | undefined, fn: string | undefined, options: ProfileOptions) => {
        if (options.root === undefined) throw new EdgeError('INVALID_INPUT', "give --root <dir>: the root of a courier whose folder apps' profiles to show");
        const { readRootProfiles, rootProfilesText } = await import('../root-profiles.ts');
        const query = { root: options.root, state: options.state, app, fn };
        const profiles = await readRootProfiles(query);
        printResult(options.json, profiles, rootProfilesText(profiles, query));
      }),
    );
}
