/** @module `edgecourier grants <app>`: who else may do what with a cloud app. */
import type { Command } from 'commander';
import { guarded, printResult } from '../output.ts';
import type { GrantSummary } from '../sharing.ts';

export function registerGrants(program: Command): void {
  program
    .command('grants')
    .description("List a cloud app's grants: each account (by address) or everyone, and its access level. Its owner has every right and is not listed.")
    .argument('<app>', 'app name or id: yours, or one shared with you with FULL_CONTROL')
    .option('--json', 'print [{ grantee, access, createdAt, updatedAt }] as JSON ("*" is everyone)')
    .action(
      guarded(async (name: string, options: { json?: boolean }) => {
        const [{ openApp }, { granteeName }] = await Promise.all([import('../session.ts'), import('../sharing.ts')]);
        const { client, app } = await openApp(name);
        const { grants } = await client.request<{ grants: GrantSummary[] }>('GET', `/api/v1/apps/${app.id}/grants`);
        const lines = grants.map((grant) => `${granteeName(grant.grantee)}  ${grant.access}  since ${grant.updatedAt}`);
        printResult(options.json, grants, lines.join('\n') || `app ${app.name} is shared with nobody`);
      }),
    );
}
