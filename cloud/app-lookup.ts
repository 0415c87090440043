/** @module Finding the caller's app and its functions, where anyone else's app answers exactly like a missing one. */
import type { Response } from 'express';
import { EdgeError } from '../base/errors.ts';
import { requireCaller } from './auth.ts';
import type { AppRecord, FunctionRecord } from './data.ts';
import type { AppStore } from './stores/apps.ts';

/** The one answer for an app that is missing or not the caller's, so the two cannot be told apart. */
export function appNotFound(appId: string): EdgeError {
  return new EdgeError('APP_NOT_FOUND', `no app ${appId} of yours`);
}

/** The caller's app `appId`; throws UNAUTHORIZED without a caller and APP_NOT_FOUND for anyone else's. */
export function ownedApp(apps: Pick<AppStore, 'get'>, res: Response, appId: string): AppRecord {
  const caller = requireCaller(res);
  const app = apps.get(caller.user.id, appId);
  if (!app) throw appNotFound(appId);
  return app;
}

export function functionOf(app: AppRecord, name: string): FunctionRecord {
  const fn = app.functions.find((candidate) => candidate.name === name);
  if (!fn) throw new EdgeError('FUNCTION_NOT_FOUND', `app "${app.name}" has no function "${name}"`);
  return fn;
}
