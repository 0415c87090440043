/** @module An app's functions and their rules: how many an app holds, replaced whole, never deleted while an endpoint or a schedule calls them; test-invokes and their logs, and who may do each. */
import { EdgeError } from '../../base/errors.ts';
import { defaultOperatorLimits, limitsWithin } from '../../runtime/app-config.ts';
import type { ErrorBody } from '../../base/errors.ts';
import type { InvocationLog } from '../../runtime/protocol.ts';
import type { ActivationStore } from '../activations/store.ts';
import type { Activated, AppRuntime, InvocationEnvelope } from '../app-runtime.ts';
import type { Access, AppRecord, FunctionRecord } from '../data.ts';
import type { AppStore } from '../stores/apps.ts';
import { appFor, seesInside, shareOf } from './app-access.ts';
import { functionOf } from './app-lookup.ts';
import { strangerEnvelope, strangerResponse } from './calls.ts';
import { assertFits, commit, draftOf } from './drafts.ts';
import type { VersionedAppStore } from './versioned-apps.ts';
import { assertNotFromFolder } from './folder-source.ts';

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

/** Refuses to delete a function that endpoints or schedules call, naming them. */
export function assertNotCalled(app: AppRecord, fn: FunctionRecord): void {
  const callers = app.endpoints.filter((endpoint) => endpoint.function === fn.name);
  if (callers.length > 0) {
    const named = callers.map((endpoint) => `${endpoint.method} ${endpoint.path}`).join(', ');
    throw new EdgeError('INVALID_INPUT', `function "${fn.name}" is called by the endpoints ${named}: delete them or point them at another function first`);
  }
  const schedules = Object.keys(app.schedules ?? {}).filter((name) => app.schedules![name]!.function === fn.name);
  if (schedules.length > 0)
    throw new EdgeError('INVALID_INPUT', `function "${fn.name}" is run by the schedules ${schedules.join(', ')}: change app.json's "schedules" first`);
}

/** A function as put: its code and settings; limits left out are the operator's defaults. */
export type FunctionSource = Omit<FunctionRecord, 'name' | 'updatedAt'>;

/** Settings of a function to change, its code left as it is; a limit set to null is the operator's default again. */
export type FunctionSettingsChange = Partial<Pick<FunctionRecord, 'idempotent' | 'public'>> & { timeoutMs?: number | null; memoryMb?: number | null };

export interface FunctionServiceDeps {
  apps: Pick<AppStore, 'byId'> & Pick<VersionedAppStore, 'save'>;
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

/** A test-invoke's response, and whether its caller sees inside the call (app-access.ts `seesInside`): its console output and whole errors. */
export interface TestInvocation {
  response: Activated;
  inside: boolean;
}

/** Each method names the caller (`userId`): READ lists and reads, RUN test-invokes, WRITE puts, deletes and reads the logs. */
export interface FunctionService {
  /** Creates or replaces the function; `created` tells which. Limits over the operator's maxima are INVALID_APP. */
  put(userId: string, appId: string, name: string, source: FunctionSource): Promise<{ fn: FunctionRecord; created: boolean }>;
  /** Changes the settings of the function, and nothing else of it: a code saved meanwhile stays. Limits over the operator's maxima are INVALID_APP. */
  update(userId: string, appId: string, name: string, change: FunctionSettingsChange): Promise<FunctionRecord>;
  list(userId: string, appId: string): FunctionRecord[];
  get(userId: string, appId: string, name: string): FunctionRecord;
  remove(userId: string, appId: string, name: string): Promise<void>;
  /**
   * Runs the function whether its app runs or not; a failed function is an answer, not an error thrown. A caller who
   * does not see inside sends and is shown what it would be at an endpoint.
   */
  invoke(userId: string, appId: string, name: string, envelope: InvocationEnvelope): Promise<TestInvocation>;
  /** The function's last invocations, newest first, nested calls of it among them: every caller's, so for those who may change the app. */
  logs(userId: string, appId: string, name: string): Promise<InvocationLogEntry[]>;
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

  const write = async (userId: string, app: AppRecord, name: string, { timeoutMs, memoryMb, ...source }: FunctionSource) => {
    assertNotFromFolder(app);
    // Refused in the words `run` and the courier use for the same app.json.
    limitsWithin(name, { timeoutMs, memoryMb }, defaultOperatorLimits);
    // A new record every time, never edited in place: the draft replaces the whole function.
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
    await commit(deps.apps, app, draft, { author: userId });
    return { fn, created };
  };

  return {
    put: (userId, appId, name, source) => write(userId, appFor(deps.apps, userId, appId, 'WRITE'), name, source),
    async update(userId, appId, name, change) {
      const { app, fn } = find(userId, appId, name, 'WRITE');
      const { name: _name, updatedAt: _updatedAt, ...current } = fn;
      const { timeoutMs = current.timeoutMs, memoryMb = current.memoryMb, ...settings } = change;
      // Read and written without a wait between: no save of the code can come in between and be undone.
      const source: FunctionSource = { ...current, ...settings, timeoutMs: timeoutMs ?? undefined, memoryMb: memoryMb ?? undefined };
      return (await write(userId, app, name, source)).fn;
    },
    list: (userId, appId) => appFor(deps.apps, userId, appId, 'READ').functions,
    get: (userId, appId, name) => find(userId, appId, name, 'READ').fn,
    async remove(userId, appId, name) {
      const { app, fn } = find(userId, appId, name, 'WRITE');
      assertNotFromFolder(app);
      assertNotCalled(app, fn);
      app.functions = app.functions.filter((candidate) => candidate !== fn);
      await deps.apps.save(app, { author: userId });
    },
    async invoke(userId, appId, name, envelope) {
      const { app, fn } = find(userId, appId, name, 'RUN');
      const origin = { trigger: 'test-invoke', callerId: userId, share: shareOf(app, userId) } as const;
      if (seesInside(app, userId)) return { response: await deps.runtime.invoke(app, fn.name, envelope, origin), inside: true };
      return { response: strangerResponse(app, await deps.runtime.invoke(app, fn.name, strangerEnvelope(app, envelope), origin)), inside: false };
    },
    async logs(userId, appId, name) {
      const { app, fn } = find(userId, appId, name, 'WRITE');
      const activations = await deps.activations.list(app.ownerId, app.id, { function: fn.name, limit: LOGGED_INVOCATIONS });
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
