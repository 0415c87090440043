/** @module `edgecourier unshare <app> <email|everyone>`: revokes what an account, or everyone, was granted on a cloud app. */
import type { Command } from 'commander';
import { guarded, printResult } from '../output.ts';

export function registerUnshare(program: Command): void {
  program
    .command('unshare')
    .description('Revoke the grant of an account (by its email address) or of everyone on a cloud app; it counts from the next request.')
    .argument('<app>', 'app name or id: yours, or one shared with you with FULL_CONTROL')
    .argument('<grantee>', "an account's email address, or everyone")
    .option('--json', 'print { app, grantee, revoked } as JSON')
    .action(
      guarded(async (name: string, grantee: string, options: { json?: boolean }) => {
        const [{ openApp }, { granteePath }] = await Promise.all([import('../session.ts'), import('../sharing.ts')]);
        const { client, app } = await openApp(name);
        await client.request('DELETE', granteePath(app.id, grantee));
        printResult(options.json, { app: app.id, grantee, revoked: true }, `${grantee}'s grant on app ${app.name} revoked`);
      }),
    );
}
