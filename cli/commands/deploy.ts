/** @module `edgecourier deploy <appDir>`: makes a cloud app match a folder app: package.json, functions, settings (app.json "env" too) and endpoints. */
import type { Command } from 'commander';
import { basename } from 'node:path';
import type { EndpointConfig } from '../../runtime/app-config.ts';
import type { LoadedApp } from '../../runtime/app.ts';
import type { CloudClient } from '../cloud-client.ts';
import { fail, printJson, progress } from '../output.ts';
import type { AppSummary } from '../session.ts';

interface DeployOptions {
  name?: string;
  start?: boolean;
}

/** The cloud installs registry packages only (local ones live beside the app folder, which is not uploaded): said before anything is sent. */
async function uploadablePackageJson(app: LoadedApp): Promise<string | null> {
  const text = app.dependencies?.packageJson;
  if (!text) return null;
  const { assertRegistryOnly } = await import('../../runtime/registry-only.ts');
  await assertRegistryOnly(text);
  return text;
}

async function ensureCloudApp(client: CloudClient, name: string, app: LoadedApp): Promise<AppSummary> {
  const { apps } = await client.request<{ apps: AppSummary[] }>('GET', '/api/v1/apps');
  const body = { description: app.config.description ?? '', packageJson: await uploadablePackageJson(app), env: app.config.env ?? {} };
  const existing = apps.find((candidate) => candidate.name === name);
  if (existing) return client.request<AppSummary>('PATCH', `/api/v1/apps/${existing.id}`, body);
  progress(`creating app ${name}`);
  return client.request<AppSummary>('POST', '/api/v1/apps', { name, ...body });
}

async function syncFunctions(client: CloudClient, cloud: AppSummary, app: LoadedApp): Promise<void> {
  const { settingsOf } = await import('../../runtime/app-config.ts');
  for (const fn of app.functions.values()) {
    const settings = app.config.functions?.[fn.name] ?? {};
    await client.request('PUT', `/api/v1/apps/${cloud.id}/functions/${fn.name}`, {
      code: fn.source,
      language: fn.file.endsWith('.ts') ? 'ts' : 'js',
      idempotent: false,
      public: false,
      ...settingsOf(settings),
    });
  }
}

const endpointKey = (endpoint: { method: string; path: string }) => `${endpoint.method} ${endpoint.path}`;

async function syncEndpoints(client: CloudClient, cloud: AppSummary, wanted: EndpointConfig[]): Promise<void> {
  const base = `/api/v1/apps/${cloud.id}/endpoints`;
  const { endpoints } = await client.request<{ endpoints: Array<EndpointConfig & { id: string }> }>('GET', base);
  const wantedKeys = new Set(wanted.map(endpointKey));
  for (const stale of endpoints.filter((endpoint) => !wantedKeys.has(endpointKey(endpoint)))) await client.request('DELETE', `${base}/${stale.id}`);
  for (const endpoint of wanted) {
    // Settings left out of app.json are set to their defaults: a PATCH would keep what an earlier deploy set.
    const body = { ...endpoint, public: endpoint.public ?? false, response: endpoint.response ?? 'json' };
    const existing = endpoints.find((candidate) => endpointKey(candidate) === endpointKey(endpoint));
    if (existing) await client.request('PATCH', `${base}/${existing.id}`, body);
    else await client.request('POST', base, body);
  }
}

async function removeDroppedFunctions(client: CloudClient, cloud: AppSummary, app: LoadedApp): Promise<void> {
  for (const fn of cloud.functions.filter((candidate) => !app.functions.has(candidate.name))) {
    await client.request('DELETE', `/api/v1/apps/${cloud.id}/functions/${fn.name}`);
  }
}

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('Create or update a cloud app from an app folder: package.json, functions with their app.json settings, app.json "env" and "endpoints".')
    .argument('<appDir>', 'the app folder')
    .option('--name <name>', 'the cloud app name (default: the folder name)')
    .option('--start', 'start the app after deploying (a running app is restarted anyway)')
    .addHelpText(
      'after',
      '\nEndpoints come from app.json: "endpoints": [{ "method": "POST", "path": "/greet", "function": "greet", "public": true }].\nFunctions and endpoints the folder no longer has are removed from the cloud app. Secrets are never sent:\nset them with `edgecourier secrets set <app> <NAME>`.',
    )
    .action(async (appDir: string, options: DeployOptions) => {
      try {
        const [{ loadApp }, { loggedInClient }] = await Promise.all([import('../../runtime/app.ts'), import('../session.ts')]);
        const app = await loadApp(appDir, { dependencyKey: async () => '' });
        const client = await loggedInClient();
        const name = options.name ?? basename(app.dir);
        let cloud = await ensureCloudApp(client, name, app);
        await syncFunctions(client, cloud, app);
        await syncEndpoints(client, cloud, app.config.endpoints ?? []);
        await removeDroppedFunctions(client, cloud, app);
        if (options.start || cloud.status === 'running') {
          progress(`starting ${name}`);
          cloud = await client.request<AppSummary>('POST', `/api/v1/apps/${cloud.id}/start`);
        } else {
          cloud = await client.request<AppSummary>('GET', `/api/v1/apps/${cloud.id}`);
        }
        printJson({ id: cloud.id, name: cloud.name, status: cloud.status, functions: cloud.functions.map((fn) => fn.name), endpoints: cloud.endpoints });
      } catch (error) {
        fail(error);
      }
    });
}
