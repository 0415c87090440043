/** @module The logged-in cloud client for commands that act on a user's apps, and app lookup by name or id. */
import { EdgeError } from '../base/errors.ts';
import { cloudClient, type CloudClient } from './cloud-client.ts';
import { loadCredentials } from './credentials.ts';

export interface AppSummary {
  id: string;
  name: string;
  status: string;
  /** What the caller may do with the app: READ, RUN, WRITE or FULL_CONTROL. */
  access: string;
  /** The caller's own app, rather than one shared with it. */
  owned: boolean;
  functions: Array<{ name: string }>;
  endpoints: Array<{ method: string; path: string; function: string; public: boolean; url: string }>;
  /** The id of the version its endpoints serve. */
  activeVersion: string | null;
}

export async function loggedInClient(): Promise<CloudClient> {
  const { url, token } = await loadCredentials();
  return cloudClient(url, token);
}

/**
 * The app `nameOrId` names: an `app_…` id as it is (any app the caller may see, one from the catalogue too); a name
 * among the caller's own apps first, then among those shared with it, where it must name one.
 */
export async function findApp(client: CloudClient, nameOrId: string): Promise<AppSummary> {
  const { apps } = await client.request<{ apps: AppSummary[] }>('GET', '/api/v1/apps');
  const named = apps.filter((candidate) => candidate.id === nameOrId || candidate.name === nameOrId);
  const app = named.find((candidate) => candidate.id === nameOrId || candidate.owned) ?? (named.length === 1 ? named[0] : undefined);
  if (app) return app;
  if (named.length > 1)
    throw new EdgeError('INVALID_INPUT', `several apps shared with you are named "${nameOrId}": name one by its id (${named.map((a) => a.id).join(', ')})`);
  if (nameOrId.startsWith('app_')) return client.request<AppSummary>('GET', `/api/v1/apps/${encodeURIComponent(nameOrId)}`);
  throw new EdgeError(
    'APP_NOT_FOUND',
    `you have no app "${nameOrId}", and none is shared with you (yours and shared: ${apps.map((a) => a.name).join(', ') || 'none'})`,
  );
}

/** The logged-in client and the app `nameOrId` names (findApp). */
export async function openApp(nameOrId: string): Promise<{ client: CloudClient; app: AppSummary }> {
  const client = await loggedInClient();
  return { client, app: await findApp(client, nameOrId) };
}
