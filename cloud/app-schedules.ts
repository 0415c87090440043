/**
 * @module The schedules of the cloud's running apps: the scheduler follows each saved app record (a start starts its
 * schedules, a stop or a delete ends them, an app.json put or a rollback changes them), and each run is an invocation
 * through AppRuntime like an endpoint call, by the app's owner and within the owner's fair share, recorded as an
 * activation with trigger `schedule`.
 */
import type { Logger } from 'pino';
import { logScheduleEvents, Scheduler, type RunOutcome, type ScheduleClock, type ScheduleRecord, type ScheduleState } from '../runtime/scheduler.ts';
import type { Schedule } from '../runtime/schedule.ts';
import type { AppRuntime } from './app-runtime.ts';
import type { AppRecord } from './data.ts';
import type { AppStore } from './stores/apps.ts';
import type { ScheduleRunStore } from './stores/schedule-runs.ts';
import type { VersionedAppStore } from './services/versioned-apps.ts';

export interface AppSchedulesOptions {
  apps: Pick<AppStore, 'byId'>;
  runtime: Pick<AppRuntime, 'invoke'>;
  ledger: ScheduleRunStore;
  logger: Logger;
  clock?: ScheduleClock;
}

/** What the cloud knows of a schedule now: its next slot while the app runs, and its last run. */
export interface ScheduleStatus extends Partial<ScheduleState> {
  lastRun?: ScheduleRecord['lastRun'];
  /** Skipped slots since the schedule's timing was last set; counted as of its last run while it is not running. */
  skipped: number;
}

export class AppSchedules {
  #apps: Pick<AppStore, 'byId'>;
  #runtime: Pick<AppRuntime, 'invoke'>;
  #ledger: ScheduleRunStore;
  #scheduler: Scheduler;

  constructor(options: AppSchedulesOptions) {
    this.#apps = options.apps;
    this.#runtime = options.runtime;
    this.#ledger = options.ledger;
    this.#scheduler = new Scheduler({
      ledger: options.ledger,
      ...(options.clock && { clock: options.clock }),
      onEvent: logScheduleEvents(options.logger.child({ component: 'schedules' })),
    });
  }

  /** Makes the scheduler run the app's schedules when it is running, and none when it is not. */
  follow(app: AppRecord): void {
    const schedules = app.status === 'running' ? (app.schedules ?? {}) : {};
    this.#ledger.retain(app.id, Object.keys(app.schedules ?? {}));
    this.#scheduler.sync(app.id, schedules, (_name, schedule) => this.#run(app.id, schedule));
  }

  /** Ends the app's schedules and forgets their last runs: the app was deleted. */
  drop(appId: string): Promise<void> {
    return this.#scheduler.drop(appId);
  }

  status(appId: string, name: string): ScheduleStatus {
    const record = this.#ledger.get(appId, name);
    const state = this.#scheduler.state(appId, name);
    return { ...state, skipped: state?.skipped ?? record?.skipped ?? 0, ...(record?.lastRun && { lastRun: record.lastRun }) };
  }

  /** Stops every schedule and waits for the runs going on. */
  close(): Promise<void> {
    return this.#scheduler.close();
  }

  async #run(appId: string, schedule: Schedule): Promise<RunOutcome> {
    // The record as it is now: the scheduler holds the one it was given, which a later save may have replaced.
    const app = this.#apps.byId(appId);
    if (!app || app.status !== 'running') return { outcome: 'APP_STOPPED' };
    const response = await this.#runtime.invoke(app, schedule.function, { input: schedule.input ?? null }, { trigger: 'schedule', callerId: app.ownerId });
    return { outcome: response.ok ? 'ok' : response.error.code, ...(response.activationId && { ref: response.activationId }) };
  }
}

/**
 * The app store whose every insert, save and delete the schedules follow: every service changes apps through it.
 * @example const apps = followedBySchedules(versionedApps(...), schedules)
 */
export function followedBySchedules(store: VersionedAppStore, schedules: Pick<AppSchedules, 'follow' | 'drop'>): VersionedAppStore {
  return {
    ...store,
    async insert(app, note) {
      await store.insert(app, note);
      schedules.follow(app);
    },
    async save(app, note) {
      await store.save(app, note);
      schedules.follow(app);
    },
    async remove(ownerId, id) {
      const removed = await store.remove(ownerId, id);
      if (removed) await schedules.drop(id);
      return removed;
    },
  };
}
