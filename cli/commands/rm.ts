/** @module `edgecourier rm <app>`: deletes a cloud app for good, once the user confirmed it by name or with --yes. */
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { EdgeError } from '../../base/errors.ts';
import { guarded, printResult } from '../output.ts';

/** True when the person at the terminal typed the app's name; without a terminal nobody can, so only --yes does. */
async function confirmed(name: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new EdgeError('INVALID_INPUT', `rm deletes app ${name} with its functions, files, secrets and grants: pass --yes to confirm`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(`Delete app ${name} with its functions, files, secrets and grants? Type its name to confirm: `)).trim() === name;
  } finally {
    rl.close();
  }
}

export function registerRm(program: Command): void {
  program
    .command('rm')
    .description('Delete a cloud app for good: it is stopped first, and its functions, files, endpoints, secrets and grants go with it.')
    .argument('<app>', 'app name or id: yours, or one shared with you with FULL_CONTROL')
    .option('-y, --yes', 'delete without asking (needed when stdin is not a terminal)')
    .option('--json', 'print { id, name, deleted } as JSON')
    .action(
      guarded(async (name: string, options: { yes?: boolean; json?: boolean }) => {
        const { openApp } = await import('../session.ts');
        const { client, app } = await openApp(name);
        if (!options.yes && !(await confirmed(app.name))) throw new EdgeError('INVALID_INPUT', `the name typed was not ${app.name}: nothing was deleted`);
        await client.request('DELETE', `/api/v1/apps/${app.id}`);
        printResult(options.json, { id: app.id, name: app.name, deleted: true }, `app ${app.name} (${app.id}) deleted`);
      }),
    );
}
