/** @module `edgecourier stop <app>`: stops a cloud app, releasing its containers; its endpoints answer APP_STOPPED until it starts again. */
import type { Command } from 'commander';
import { guarded, printResult } from '../output.ts';
import type { AppSummary } from '../session.ts';

export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('Stop a cloud app: its containers are released, and its endpoints answer 503 APP_STOPPED until it is started again (deploy --start).')
    .argument('<app>', 'app name or id: yours, or one shared with you that you may change (WRITE)')
    .option('--json', 'print the app as JSON')
    .action(
      guarded(async (name: string, options: { json?: boolean }) => {
        const { openApp } = await import('../session.ts');
        const { client, app } = await openApp(name);
        const stopped = await client.request<AppSummary>('POST', `/api/v1/apps/${app.id}/stop`);
        printResult(options.json, stopped, `app ${stopped.name} (${stopped.id}) is ${stopped.status}`);
      }),
    );
}
