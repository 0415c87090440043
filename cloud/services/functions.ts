/** @module An app's functions and their rules: how many an app holds, replaced whole, never deleted while an endpoint calls them; test-invokes and their logs, and who may do each. */
import { EdgeError } from '../../base/errors.ts';
import { defaultOperatorLimits, limitsWithin } from '../../runtime/app-config.ts';
import type { InvokeResponse } from '../../runtime/protocol.ts';
import type { AppRuntime, InvocationEnvelope, InvocationLogEntry } from '../app-runtime.ts';
import type { Access, AppRecord, FunctionRecord } from '../data.ts';
import type { AppStore } from '../stores/apps.ts';
import { appFor, seesInside } from './app-access.ts';
import { functionOf } from './app-lookup.ts';
import { strangerEnvelope, strangerResponse } from './calls.ts';
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
  apps: Pick<AppStore, 'byId' | 'save'>;
  runtime: Pick<AppRuntime, 'invoke' | 'logs'>;
  now?: () => number;
}

/** A test-invoke's response, and whether its caller sees inside the call (app-access.ts `seesInside`): its console output and whole errors. */
export interface TestInvocation {
  response: InvokeResponse;
  inside: boolean;
}

/** Each method names the caller (`userId`): READ lists and reads, RUN test-invokes, WRITE puts, deletes and reads the logs. */
export interface FunctionService {
  /** Creates or replaces the function; `created` tells which. Limits over the operator's maxima are INVALID_APP. */
  put(userId: string, appId: string, name: string, source: FunctionSource): Promise<{ fn: FunctionRecord; created: boolean }>;
  list(userId: string, appId: string): FunctionRecord[];
  get(userId: string, appId: string, name: string): FunctionRecord;
  remove(userId: string, appId: string, name: string): Promise<void>;
  /**
   * Runs the function whether its app runs or not; a failed function is an answer, not an error thrown. A caller who
   * does not see inside sends and is shown what it would be at an endpoint.
   */
  invoke(userId: string, appId: string, name: string, envelope: InvocationEnvelope): Promise<TestInvocation>;
  /** The function's last invocations, newest first: every caller's, so for those who may change the app. */
  logs(userId: string, appId: string, name: string): InvocationLogEntry[];
}

/**
 * The function service over the app store and the runtime.
 * @example await functionService({ apps, runtime }).put(user.id, app.id, 'greet', { code, language: 'js', idempotent: false, public: false })
 */
export function functionService(deps: FunctionServiceDeps): FunctionService {
  const now = deps.now ?? Date.now;
  const find = (userId: string, appId: string, name: string, needed: Access) => {
    const app = appFor(deps.apps, userId, appId, needed);
    return { app, fn: functionOf(app, name) };
  };

  return {
    async put(userId, appId, name, { timeoutMs, memoryMb, ...source }) {
      const app = appFor(deps.apps, userId, appId, 'WRITE');
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
    list: (userId, appId) => appFor(deps.apps, userId, appId, 'READ').functions,
    get: (userId, appId, name) => find(userId, appId, name, 'READ').fn,
    async remove(userId, appId, name) {
      const { app, fn } = find(userId, appId, name, 'WRITE');
      assertNotCalled(app, fn);
      app.functions = app.functions.filter((candidate) => candidate !== fn);
      await deps.apps.save(app);
    },
    async invoke(userId, appId, name, envelope) {
      const { app, fn } = find(userId, appId, name, 'RUN');
      if (seesInside(app, userId)) return { response: await deps.runtime.invoke(app, fn.name, envelope), inside: true };
      return { response: strangerResponse(app, await deps.runtime.invoke(app, fn.name, strangerEnvelope(app, envelope))), inside: false };
    },
    logs(userId, appId, name) {
      const { app, fn } = find(userId, appId, name, 'WRITE');
      return deps.runtime.logs(app.id, fn.name);
    },
  };
}
