/** @module `edgecourier apps`: the logged-in user's cloud apps and those shared with it, with their status, access, active version and endpoint URLs. */
import type { Command } from 'commander';
import { endpointText } from '../app-text.ts';
import { guarded, printResult, table } from '../output.ts';
import type { AppSummary } from '../session.ts';

/** An app as `apps` lists it: its endpoints as `METHOD url`, marked when public. */
function listing(app: AppSummary) {
  return {
    id: app.id,
    name: app.name,
    status: app.status,
    version: app.activeVersion,
    access: app.access,
    owned: app.owned,
    functions: app.functions.map((fn) => fn.name),
    endpoints: app.endpoints.map(endpointText),
  };
}

/** One row an app, then one more for each endpoint past its first, so that every URL can be copied whole. */
function asText(apps: Array<ReturnType<typeof listing>>): string {
  if (apps.length === 0) return 'you have no apps, and none is shared with you: make one with edgecourier deploy <appDir>';
  const rows = [['NAME', 'STATUS', 'VERSION', 'ACCESS', 'ENDPOINTS']];
  for (const app of apps) {
    rows.push([app.name, app.status, app.version?.slice(0, 12) ?? '-', app.owned ? 'own' : app.access, app.endpoints[0] ?? '-']);
    for (const endpoint of app.endpoints.slice(1)) rows.push(['', '', '', '', endpoint]);
  }
  return table(rows);
}

export function registerApps(program: Command): void {
  program
    .command('apps')
    .description('List your cloud apps, then those shared with you: name, status, active version, your access and endpoint URLs.')
    .option('--json', 'print JSON: [{ id, name, status, version, access, owned, functions, endpoints }]')
    .action(
      guarded(async (options: { json?: boolean }) => {
        const { loggedInClient } = await import('../session.ts');
        const client = await loggedInClient();
        const apps = (await client.request<{ apps: AppSummary[] }>('GET', '/api/v1/apps')).apps.map(listing);
        printResult(options.json, apps, asText(apps));
      }),
    );
}
