/** @module An app's endpoints and their rules: how many an app holds, one per method and path, each calling a function the app has. */
import { EdgeError } from '../../base/errors.ts';
import type { AppRecord, EndpointRecord } from '../data.ts';
import { newId } from '../ids.ts';
import type { AppStore } from '../stores/apps.ts';
import { appFor } from './app-access.ts';
import { functionOf } from './app-lookup.ts';
import type { VersionedAppStore } from './versioned-apps.ts';
import { assertNotFromFolder } from './folder-source.ts';

/** Every call to the app searches its endpoints: the list must stay short enough to search on each call. */
export const MAX_ENDPOINTS_PER_APP = 100;

export type EndpointFields = Omit<EndpointRecord, 'id'>;

/** An endpoint with the app it belongs to, whose id is part of its URL. */
export interface AppEndpoint {
  app: AppRecord;
  endpoint: EndpointRecord;
}

export interface EndpointServiceDeps {
  apps: Pick<AppStore, 'byId'> & Pick<VersionedAppStore, 'save'>;
}

/** Each method names the caller (`userId`): READ lists, WRITE adds, changes and removes. */
export interface EndpointService {
  add(userId: string, appId: string, fields: EndpointFields): Promise<AppEndpoint>;
  list(userId: string, appId: string): AppEndpoint[];
  /** Fields left out keep their value. */
  update(userId: string, appId: string, id: string, changes: Partial<EndpointFields>): Promise<AppEndpoint>;
  remove(userId: string, appId: string, id: string): Promise<void>;
}

function endpointOf(app: AppRecord, id: string): EndpointRecord {
  const endpoint = app.endpoints.find((candidate) => candidate.id === id);
  if (!endpoint) throw new EdgeError('ENDPOINT_NOT_FOUND', `app "${app.name}" has no endpoint ${id}`);
  return endpoint;
}

/** Refuses an endpoint that would call a missing function or take another endpoint's method and path. */
export function assertUsable(app: AppRecord, endpoint: EndpointFields, self?: EndpointRecord): void {
  functionOf(app, endpoint.function);
  const taken = app.endpoints.some((other) => other !== self && other.method === endpoint.method && other.path === endpoint.path);
  if (taken) throw new EdgeError('ENDPOINT_TAKEN', `app "${app.name}" already has an endpoint ${endpoint.method} ${endpoint.path}`);
}

/**
 * The endpoint service over the app store.
 * @example await endpointService({ apps }).add(user.id, app.id, { method: 'POST', path: '/greet', function: 'greet', public: false })
 */
export function endpointService(deps: EndpointServiceDeps): EndpointService {
  return {
    async add(userId, appId, fields) {
      const app = appFor(deps.apps, userId, appId, 'WRITE');
      assertNotFromFolder(app);
      assertUsable(app, fields);
      if (app.endpoints.length >= MAX_ENDPOINTS_PER_APP) {
        throw new EdgeError('QUOTA_EXCEEDED', `app "${app.name}" holds at most ${MAX_ENDPOINTS_PER_APP} endpoints; delete one first`);
      }
      const endpoint: EndpointRecord = { id: newId('ep'), ...fields };
      app.endpoints.push(endpoint);
      await deps.apps.save(app, { author: userId });
      return { app, endpoint };
    },
    list(userId, appId) {
      const app = appFor(deps.apps, userId, appId, 'READ');
      return app.endpoints.map((endpoint) => ({ app, endpoint }));
    },
    async update(userId, appId, id, changes) {
      const app = appFor(deps.apps, userId, appId, 'WRITE');
      assertNotFromFolder(app);
      const endpoint = endpointOf(app, id);
      const changed = { ...endpoint, ...changes };
      assertUsable(app, changed, endpoint);
      Object.assign(endpoint, changed);
      await deps.apps.save(app, { author: userId });
      return { app, endpoint };
    },
    async remove(userId, appId, id) {
      const app = appFor(deps.apps, userId, appId, 'WRITE');
      assertNotFromFolder(app);
      const endpoint = endpointOf(app, id);
      app.endpoints = app.endpoints.filter((candidate) => candidate !== endpoint);
      await deps.apps.save(app, { author: userId });
    },
  };
}
