/** @module An app's functions and their rules: how many an app holds, replaced whole, never deleted while an endpoint calls them; test-invokes and their logs. */
import { EdgeError } from '../../base/errors.ts';
import { defaultOperatorLimits, limitsWithin } from '../../runtime/app-config.ts';
import type { InvokeResponse } from '../../runtime/protocol.ts';
import type { AppRuntime, InvocationEnvelope, InvocationLogEntry } from '../app-runtime.ts';
import type { AppRecord, FunctionRecord } from '../data.ts';
import type { AppStore } from '../stores/apps.ts';
import { functionOf, ownedApp } from './app-lookup.ts';
import { assertFits, commit, draftOf } from './drafts.ts';

/** Every function is written, loaded and compiled at each change of its app: an app must stay a size that is quick to load. */
export const MAX_FUNCTIONS_PER_APP = 100;

/** Puts `fn` in place of the function of its name, or adds it; true when it is new. */
export function setFunction(app: AppRecord, fn: FunctionRecord): boolean {
  const index = app.functions.findIndex((candidate) => candidate.name === fn.name);
  if (index !== -1) app.functions[index] = fn;
  else if (app.functions.length < MAX_FUNCTIONS_PER_APP) app.functions.push(fn);
  else throw new EdgeError('QUOTA_EXCEEDED', `app "${app.name}" holds at most ${MAX_FUNCTIONS_PER_APP} functions; delete one first`);
  return index === -1;
}

/** Refuses to delete a function that endpoints call, naming them. */
export function assertNotCalled(app: AppRecord, fn: FunctionRecord): void {
  const callers = app.endpoints.filter((endpoint) => endpoint.function === fn.name);
  if (callers.length > 0) {
    const named = callers.map((endpoint) => `${endpoint.method} ${endpoint.path}`).join(', ');
    throw new EdgeError('INVALID_INPUT', `function "${fn.name}" is called by the endpoints ${named}: delete them or point them at another function first`);
  }
}

/** A function as put: its code and settings; limits left out are the operator's defaults. */
export type FunctionSource = Omit<FunctionRecord, 'name' | 'updatedAt'>;

export interface FunctionServiceDeps {
  apps: Pick<AppStore, 'get' | 'save'>;
  runtime: Pick<AppRuntime, 'invoke' | 'logs'>;
  now?: () => number;
}

export interface FunctionService {
  /** Creates or replaces the function; `created` tells which. Limits over the operator's maxima are INVALID_APP. */
  put(ownerId: string, appId: string, name: string, source: FunctionSource): Promise<{ fn: FunctionRecord; created: boolean }>;
  list(ownerId: string, appId: string): FunctionRecord[];
  get(ownerId: string, appId: string, name: string): FunctionRecord;
  remove(ownerId: string, appId: string, name: string): Promise<void>;
  /** Runs the function whether its app runs or not; a failed function is an answer, not an error thrown. */
  invoke(ownerId: string, appId: string, name: string, envelope: InvocationEnvelope): Promise<InvokeResponse>;
  /** The function's last invocations, newest first. */
  logs(ownerId: string, appId: string, name: string): InvocationLogEntry[];
}

/**
 * The function service over the app store and the runtime.
 * @example await functionService({ apps, runtime }).put(user.id, app.id, 'greet', { code, language: 'js', idempotent: false, public: false })
 */
export function functionService(deps: FunctionServiceDeps): FunctionService {
  const now = deps.now ?? Date.now;
  const find = (ownerId: string, appId: string, name: string) => {
    const app = ownedApp(deps.apps, ownerId, appId);
    return { app, fn: functionOf(app, name) };
  };

  return {
    async put(ownerId, appId, name, { timeoutMs, memoryMb, ...source }) {
      const app = ownedApp(deps.apps, ownerId, appId);
      // Refused in the words `run` and the courier use for the same app.json.
      limitsWithin(name, { timeoutMs, memoryMb }, defaultOperatorLimits);
      // A new record every time, never edited in place: PUT replaces the whole function.
      const fn: FunctionRecord = {
        name,
        ...source,
        ...(timeoutMs ? { timeoutMs } : {}),
        ...(memoryMb ? { memoryMb } : {}),
        updatedAt: new Date(now()).toISOString(),
      };
      const draft = draftOf(app);
      const created = setFunction(draft, fn);
      assertFits(draft);
      await commit(deps.apps, app, draft);
      return { fn, created };
    },
    list: (ownerId, appId) => ownedApp(deps.apps, ownerId, appId).functions,
    get: (ownerId, appId, name) => find(ownerId, appId, name).fn,
    async remove(ownerId, appId, name) {
      const { app, fn } = find(ownerId, appId, name);
      assertNotCalled(app, fn);
      app.functions = app.functions.filter((candidate) => candidate !== fn);
      await deps.apps.save(app);
    },
    async invoke(ownerId, appId, name, envelope) {
      const { app, fn } = find(ownerId, appId, name);
      return deps.runtime.invoke(app, fn.name, envelope);
    },
    logs(ownerId, appId, name) {
      const { app, fn } = find(ownerId, appId, name);
      return deps.runtime.logs(app.id, fn.name);
    },
  };
}
