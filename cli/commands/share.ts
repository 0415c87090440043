/** @module `edgecourier share <app> <email|everyone> --as <level>`: grants an account, or everyone, a level of access to a cloud app. */
import type { Command } from 'commander';
import { guarded, printResult } from '../output.ts';
import type { GrantSummary } from '../sharing.ts';

export function registerShare(program: Command): void {
  program
    .command('share')
    .description('Share a cloud app: give an account (by its email address) or everyone an access level, in place of any it had.')
    .argument('<app>', 'app name or id: yours, or one shared with you with FULL_CONTROL')
    .argument('<grantee>', "an account's email address, or everyone")
    .requiredOption('--as <level>', 'read, run, write or full (everyone: read or run only)')
    .option('--json', 'print the grant as JSON: { grantee, access, createdAt, updatedAt }')
    .addHelpText(
      'after',
      [
        '',
        'Each level allows what the ones before it do:',
        '  read   see the app, its code and files, and download its bundle (edgecourier pull)',
        '  run    call its private endpoints, and test-invoke its functions (edgecourier invoke)',
        '  write  deploy to it (deploy --app), change its files, functions and endpoints, start and stop it, read its logs',
        '  full   what its owner may: share it, set its secrets, delete it',
        'Sharing with everyone lists the app in the catalogue (edgecourier catalog). The account must exist: ask them to sign up first.',
        'A grant counts from the next request; `edgecourier unshare` takes it back.',
      ].join('\n'),
    )
    .action(
      guarded(async (name: string, grantee: string, options: { as: string; json?: boolean }) => {
        const [{ openApp }, { granteeName, granteePath, levelOf }] = await Promise.all([import('../session.ts'), import('../sharing.ts')]);
        const access = levelOf(options.as);
        const { client, app } = await openApp(name);
        const grant = await client.request<GrantSummary>('PUT', granteePath(app.id, grantee), { access });
        printResult(options.json, grant, `${granteeName(grant.grantee)} may now ${grant.access} app ${app.name}`);
      }),
    );
}
