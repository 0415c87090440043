/**
 * @module An app's schedules as its readers see them (READ): each as app.json declares it, with its next slot while the
 * app runs and its last run. They are changed through app.json (a file put, a deploy, a rollback), with WRITE.
 */
import type { ScheduleLastRun, ScheduleList } from '../../api/schedules.ts';
import type { Schedule } from '../../runtime/schedule.ts';
import type { AppSchedules, ScheduleStatus } from '../app-schedules.ts';
import type { AppStore } from '../stores/apps.ts';
import { appFor } from './app-access.ts';

/** One schedule of an app, declared and as it goes: the wire's ScheduleListing, made from the runtime's parts. */
export interface ScheduleView extends Schedule, Omit<ScheduleStatus, 'next' | 'lastRun'> {
  name: string;
  /** The next slot (ISO 8601); absent while the app is stopped, or when none comes. */
  next?: string;
  lastRun?: ScheduleLastRun;
}

export interface ScheduleService {
  list(userId: string, appId: string): ScheduleList & { schedules: ScheduleView[] };
}

export interface ScheduleServiceDeps {
  apps: Pick<AppStore, 'byId'>;
  schedules: Pick<AppSchedules, 'status'>;
}

/**
 * The schedule service over the app store and the running schedules.
 * @example const { schedules } = service.list(user.id, appId)
 */
export function scheduleService(deps: ScheduleServiceDeps): ScheduleService {
  return {
    list(userId, appId) {
      const app = appFor(deps.apps, userId, appId, 'READ');
      const schedules = Object.entries(app.schedules ?? {}).map(([name, schedule]): ScheduleView => {
        const { next, lastRun, ...status } = deps.schedules.status(app.id, name);
        const ran = lastRun && (({ ref, ...run }) => ({ ...run, ...(ref !== undefined && { activationId: ref }) }))(lastRun);
        return { name, ...schedule, ...status, ...(next !== undefined && { next: new Date(next).toISOString() }), ...(ran && { lastRun: ran }) };
      });
      return { appId: app.id, status: app.status, schedules };
    },
  };
}
