/** @module Finding an owner's app and its functions, where anyone else's app answers exactly like a missing one. */
import { EdgeError } from '../../base/errors.ts';
import type { AppRecord, FunctionRecord } from '../data.ts';
import type { AppStore } from '../stores/apps.ts';

/** The one answer for an app that is missing or not the caller's, so the two cannot be told apart. */
export function appNotFound(appId: string): EdgeError {
  return new EdgeError('APP_NOT_FOUND', `no app ${appId} of yours`);
}

/** The app `appId` of `ownerId`; throws APP_NOT_FOUND for a missing app and for anyone else's. */
export function ownedApp(apps: Pick<AppStore, 'get'>, ownerId: string, appId: string): AppRecord {
  const app = apps.get(ownerId, appId);
  if (!app) throw appNotFound(appId);
  return app;
}

export function functionOf(app: AppRecord, name: string): FunctionRecord {
  const fn = app.functions.find((candidate) => candidate.name === name);
  if (!fn) throw new EdgeError('FUNCTION_NOT_FOUND', `app "${app.name}" has no function "${name}"`);
  return fn;
}
