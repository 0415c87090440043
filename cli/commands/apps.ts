/** @module `edgecourier apps`: the logged-in user's cloud apps and those shared with it, with their status, access and endpoint URLs. */
import type { Command } from 'commander';
import { fail, printJson } from '../output.ts';
import type { AppSummary } from '../session.ts';

export function registerApps(program: Command): void {
  program
    .command('apps')
    .description('List your cloud apps, then those shared with you: id, name, status, your access, functions and endpoint URLs.')
    .action(async () => {
      try {
        const { loggedInClient } = await import('../session.ts');
        const client = await loggedInClient();
        const { apps } = await client.request<{ apps: AppSummary[] }>('GET', '/api/v1/apps');
        printJson(
          apps.map((app) => ({
            id: app.id,
            name: app.name,
            status: app.status,
            access: app.access,
            owned: app.owned,
            functions: app.functions.map((fn) => fn.name),
            endpoints: app.endpoints.map((endpoint) => `${endpoint.method} ${endpoint.url}${endpoint.public ? ' (public)' : ''}`),
          })),
        );
      } catch (error) {
        fail(error);
      }
    });
}
