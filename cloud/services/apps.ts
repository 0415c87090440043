/** @module Apps and their rules: how many an account holds, unique names per owner, registry-only package.json, who may change, start, stop and delete them, and starts, stops and deletes in turn. */
import type { AppStart } from '../../api/app-starts.ts';
import { EdgeError } from '../../base/errors.ts';
import { assertRegistryOnly } from '../../runtime/registry-only.ts';
import type { AppRuntime } from '../app-runtime.ts';
import { StartProgress } from '../start-progress.ts';
import type { Access, AppRecord } from '../data.ts';
import { newId } from '../ids.ts';
import type { AppStore } from '../stores/apps.ts';
import { appFor } from './app-access.ts';
import type { VersionedAppStore } from './versioned-apps.ts';
import { assertNotFromFolder } from './folder-source.ts';

/** Each app costs disk and, running, warm sandboxes: one account must not hold the service's share of them. */
export const MAX_APPS_PER_USER = 100;

export interface NewApp {
  name: string;
  description?: string;
  packageJson?: string | null;
  env?: Record<string, string>;
}

/** Fields left out keep their value. */
export type AppChanges = Partial<NewApp>;

export interface AppServiceDeps {
  apps: Pick<AppStore, 'list' | 'sharedWith' | 'byId' | 'insert' | 'remove'> & Pick<VersionedAppStore, 'save'>;
  /** Warms and releases an app's sandboxes, and runs each app's status changes one after another. */
  runtime: Pick<AppRuntime, 'changeInTurn' | 'start' | 'stop' | 'forget'>;
  now?: () => number;
}

/** Each method names the caller (`userId`), whose grants say whether it may: READ to get, WRITE to change, start or stop, FULL_CONTROL to delete. */
export interface AppService {
  create(ownerId: string, app: NewApp): Promise<AppRecord>;
  /** The caller's own apps, then those granted to the caller's account (not those granted only to everyone). */
  list(userId: string): AppRecord[];
  get(userId: string, appId: string): AppRecord;
  update(userId: string, appId: string, changes: AppChanges): Promise<AppRecord>;
  /** Stops the app and deletes it, after the starts and stops asked for before. */
  remove(userId: string, appId: string): Promise<void>;
  /** Answers once the app is warm; meanwhile `startOf` tells the step it is at. */
  start(userId: string, appId: string): Promise<AppRecord>;
  stop(userId: string, appId: string): Promise<AppRecord>;
  /** The start of an app going on, for an app the caller has already been given; undefined when none is. */
  startOf(appId: string): AppStart | undefined;
}

/**
 * A package.json naming registry packages only: anything else would make the cloud's host fetch URLs, clone
 * repositories or read paths for a stranger, so it is refused before it is stored.
 */
async function assertRegistryOnlyIn(app: AppChanges): Promise<void> {
  if (typeof app.packageJson === 'string') await assertRegistryOnly(app.packageJson);
}

function assertNameFree(apps: AppRecord[], name: string, self?: AppRecord): void {
  if (apps.some((app) => app.name === name && app !== self)) throw new EdgeError('APP_NAME_TAKEN', `you already have an app named "${name}"`);
}

/** Refuses a new app named `name` beside the apps its owner already has (`owned`). */
export function assertCanCreate(owned: AppRecord[], name: string): void {
  if (owned.length >= MAX_APPS_PER_USER) throw new EdgeError('QUOTA_EXCEEDED', `an account holds at most ${MAX_APPS_PER_USER} apps; delete one first`);
  assertNameFree(owned, name);
}

/** The record of a new, stopped app with nothing in it. */
export function newAppRecord(ownerId: string, name: string, at: string): AppRecord {
  return {
    id: newId('app'),
    ownerId,
    name,
    description: '',
    packageJson: null,
    status: 'stopped',
    functions: [],
    files: [],
    endpoints: [],
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * The app service over a store and the runtime.
 * @example const apps = appService({ apps: appStore(db), runtime }); await apps.create(user.id, { name: 'shop' })
 */
export function appService(deps: AppServiceDeps): AppService {
  const now = deps.now ?? Date.now;
  // Each start tells its steps here, for those who read the app meanwhile.
  const starts = new StartProgress(now);

  /**
   * Runs `change` on the app after the starts, stops and deletes asked for before it, on the record and grants as
   * they are by then: an app deleted, or a grant revoked, while the change waited is not found (or forbidden).
   */
  const inTurn = async <T>(userId: string, appId: string, needed: Access, change: (app: AppRecord) => Promise<T>): Promise<T> => {
    // Looked up before waiting too, so a stranger is answered at once and queues nothing.
    appFor(deps.apps, userId, appId, needed);
    return deps.runtime.changeInTurn(appId, () => change(appFor(deps.apps, userId, appId, needed)));
  };

  /** Starting fails when, say, the dependencies do not install: the status changes only once the runtime did its part. */
  const switchTo = (status: AppRecord['status'], act: (app: AppRecord) => Promise<void>) => (userId: string, appId: string) =>
    inTurn(userId, appId, 'WRITE', async (app) => {
      await act(app);
      // Looked up again: a start can take minutes, and a refused write meanwhile puts new records in memory (cloud/db.ts).
      const current = appFor(deps.apps, userId, appId, 'WRITE');
      current.status = status;
      await deps.apps.save(current);
      return current;
    });

  return {
    async create(ownerId, input) {
      await assertRegistryOnlyIn(input);
      assertCanCreate(deps.apps.list(ownerId), input.name);
      const app: AppRecord = {
        ...newAppRecord(ownerId, input.name, new Date(now()).toISOString()),
        description: input.description ?? '',
        packageJson: input.packageJson ?? null,
        ...(input.env ? { env: input.env } : {}),
      };
      await deps.apps.insert(app);
      return app;
    },
    list: (userId) => [...deps.apps.list(userId), ...deps.apps.sharedWith(userId)],
    get: (userId, appId) => appFor(deps.apps, userId, appId, 'READ'),
    async update(userId, appId, changes) {
      appFor(deps.apps, userId, appId, 'WRITE');
      await assertRegistryOnlyIn(changes);
      // Looked up again: the record may have been deleted, or replaced by a reload after a refused write (cloud/db.ts), or the grant revoked.
      const app = appFor(deps.apps, userId, appId, 'WRITE');
      assertNotFromFolder(app);
      if (changes.name !== undefined) {
        assertNameFree(deps.apps.list(app.ownerId), changes.name, app);
        app.name = changes.name;
      }
      if (changes.description !== undefined) app.description = changes.description;
      if (changes.packageJson !== undefined) app.packageJson = changes.packageJson;
      if (changes.env !== undefined) app.env = changes.env;
      await deps.apps.save(app, { author: userId });
      return app;
    },
    remove: (userId, appId) =>
      inTurn(userId, appId, 'FULL_CONTROL', async (app) => {
        await deps.runtime.forget(app);
        await deps.apps.remove(app.ownerId, app.id);
      }),
    async start(userId, appId) {
      // Begun before it waits its turn, so a start behind a slow stop shows as waiting rather than as nothing.
      const report = starts.begin(appId);
      try {
        return await switchTo('running', (app) => deps.runtime.start(app, report.to))(userId, appId);
      } finally {
        report.end();
      }
    },
    stop: switchTo('stopped', (app) => deps.runtime.stop(app)),
    startOf: (appId) => starts.of(appId),
  };
}
