/** @module The answer for an app the caller may not see, and finding an app's functions. */
import { EdgeError } from '../../base/errors.ts';
import type { AppRecord, FunctionRecord } from '../data.ts';

/** The one answer for an app that is missing or that the caller may not see (app-access.ts), so the two cannot be told apart. */
export function appNotFound(appId: string): EdgeError {
  return new EdgeError('APP_NOT_FOUND', `no app ${appId} of yours`);
}

export function functionOf(app: AppRecord, name: string): FunctionRecord {
  const fn = app.functions.find((candidate) => candidate.name === name);
  if (!fn) throw new EdgeError('FUNCTION_NOT_FOUND', `app "${app.name}" has no function "${name}"`);
  return fn;
}
