/** @module The last slot of each schedule of the cloud's apps, in its database: the ledger the scheduler persists to (runtime/scheduler.ts). */
import { removeWhere, type CloudDb } from '../db.ts';
import type { ScheduleLedger } from '../../runtime/scheduler.ts';

export interface ScheduleRunStore extends ScheduleLedger {
  /** Forgets, in memory (the next write saves it), the app's schedules not named: an app renaming its schedules leaves no trail. */
  retain(appId: string, names: string[]): void;
}

/**
 * One record per schedule, replaced at each run's start and end: two writes of the database a run, which the
 * schedules' minimum interval and their bound per app keep to a low rate.
 */
export function scheduleRunStore(db: CloudDb): ScheduleRunStore {
  return {
    retain(appId, names) {
      db.data.scheduleRuns = db.data.scheduleRuns.filter((run) => run.appId !== appId || names.includes(run.name));
    },
    get: (appId, name) => db.data.scheduleRuns.find((run) => run.appId === appId && run.name === name)?.record,
    async put(appId, name, record) {
      const known = db.data.scheduleRuns.find((run) => run.appId === appId && run.name === name);
      if (known) known.record = record;
      else db.data.scheduleRuns.push({ appId, name, record });
      await db.write();
    },
    async drop(appId) {
      await removeWhere(db, 'scheduleRuns', (run) => run.appId === appId);
    },
  };
}
