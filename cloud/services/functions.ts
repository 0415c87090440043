/** @module An app's functions and their rules: how many an app holds, replaced whole, never deleted while an endpoint calls them; test-invokes and their logs. */
import { EdgeError } from '../../base/errors.ts';
import { defaultOperatorLimits, limitsWithin } from '../../runtime/app-config.ts';
import type { InvocationLog } from '../../runtime/protocol.ts';
import type { ErrorBody } from '../../base/errors.ts';
import type { ActivationStore } from '../activations/store.ts';
import type { Activated, AppRuntime, InvocationEnvelope } from '../app-runtime.ts';
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
  runtime: Pick<AppRuntime, 'invoke'>;
  activations: Pick<ActivationStore, 'list'>;
  now?: () => number;
}

/** One invocation as the logs route shows it: an activation of the function in the words the route used before activations had ids. */
export interface InvocationLogEntry {
  id: string;
  at: string;
  ok: boolean;
  error?: ErrorBody;
  durationMs: number;
  logs: InvocationLog[];
}

/** Invocations the logs route shows of one function. */
export const LOGGED_INVOCATIONS = 50;

export interface FunctionService {
  /** Creates or replaces the function; `created` tells which. Limits over the operator's maxima are INVALID_APP. */
  put(ownerId: string, appId: string, name: string, source: FunctionSource): Promise<{ fn: FunctionRecord; created: boolean }>;
  list(ownerId: string, appId: string): FunctionRecord[];
  get(ownerId: string, appId: string, name: string): FunctionRecord;
  remove(ownerId: string, appId: string, name: string): Promise<void>;
  /** Runs the function whether its app runs or not; a failed function is an answer, not an error thrown. */
  invoke(ownerId: string, appId: string, name: string, envelope: InvocationEnvelope): Promise<Activated>;
  /** The function's last invocations, newest first, nested calls of it among them. */
  logs(ownerId: string, appId: string, name: string): Promise<InvocationLogEntry[]>;
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
      return deps.runtime.invoke(app, fn.name, envelope, { trigger: 'test-invoke', callerId: ownerId });
    },
    async logs(ownerId, appId, name) {
      const { app, fn } = find(ownerId, appId, name);
      const activations = await deps.activations.list(ownerId, app.id, { function: fn.name, limit: LOGGED_INVOCATIONS });
      return activations.map(({ id, start, outcome, error, durationMs, logs }) => ({
        id,
        at: start,
        ok: outcome === 'ok',
        ...(error && { error }),
        durationMs,
        logs: logs.map((line) => ({ fn: fn.name, ...line })),
      }));
    },
  };
}
