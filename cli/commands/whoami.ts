/** @module `edgecourier whoami`: the account the saved token (or EDGECOURIER_TOKEN) stands for, on which cloud. */
import type { Command } from 'commander';
import { guarded, printResult } from '../output.ts';

interface User {
  id: string;
  email: string;
  createdAt: string;
}

export function registerWhoami(program: Command): void {
  program
    .command('whoami')
    .description('Show the account you are logged in as, and the cloud, as the cloud itself tells it.')
    .option('--json', 'print JSON: { user: { id, email, createdAt }, url }')
    .action(
      guarded(async (options: { json?: boolean }) => {
        const { loggedInClient } = await import('../session.ts');
        const client = await loggedInClient();
        const { user } = await client.request<{ user: User }>('GET', '/api/v1/me');
        printResult(options.json, { user, url: client.url }, `${user.email} on ${client.url}`);
      }),
    );
}
