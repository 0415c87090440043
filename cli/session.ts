/** @module The logged-in cloud client for commands that act on a user's apps, and app lookup by name or id. */
import { EdgeError } from '../base/errors.ts';
import { cloudClient, type CloudClient } from './cloud-client.ts';
import { loadCredentials } from './credentials.ts';

export interface AppSummary {
  id: string;
  name: string;
  status: string;
  functions: Array<{ name: string }>;
  endpoints: Array<{ method: string; path: string; function: string; public: boolean; url: string }>;
  /** The id of the version its endpoints serve. */
  activeVersion: string | null;
}

export async function loggedInClient(): Promise<CloudClient> {
  const { url, token } = await loadCredentials();
  return cloudClient(url, token);
}

/** The id of the caller's app called `nameOrId` (an `app_…` id is taken as it is). */
export async function findApp(client: CloudClient, nameOrId: string): Promise<AppSummary> {
  const { apps } = await client.request<{ apps: AppSummary[] }>('GET', '/api/v1/apps');
  const app = apps.find((candidate) => candidate.id === nameOrId || candidate.name === nameOrId);
  if (!app) throw new EdgeError('APP_NOT_FOUND', `you have no app "${nameOrId}" (yours: ${apps.map((a) => a.name).join(', ') || 'none'})`);
  return app;
}
