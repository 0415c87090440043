/**
 * @module Schedules on the wire (docs/http-api.md, "Schedules"), written once for every side: the cloud answers
 * GET /apps/:appId/schedules in these shapes, and the CLI and the console read them.
 */

/** A schedule's last run: its slot, when it started and ended, its outcome and the activation that records it. */
export interface ScheduleLastRun {
  /** The slot it ran for (ISO 8601). */
  slot: string;
  startedAt: string;
  /** Absent while it runs, or when the process ended before it did. */
  endedAt?: string;
  /** `ok`, or the code of the error it ended with. */
  outcome?: string;
  activationId?: string;
}

/** One schedule of an app: as app.json declares it, with its next slot while the app runs and its last run. */
export interface ScheduleListing {
  name: string;
  function: string;
  /** An interval ("30s", "5m"); a schedule has this or `cron`. */
  every?: string;
  cron?: string;
  /** The IANA time zone `cron` is read in; UTC when absent. */
  timezone?: string;
  input?: unknown;
  overlap?: boolean;
  /** The next slot (ISO 8601); absent while the app is stopped, or when none comes. */
  next?: string;
  /** Runs going on now; absent while the app is stopped. */
  running?: number;
  skipped: number;
  lastRun?: ScheduleLastRun;
}

/** GET /api/v1/apps/:appId/schedules. */
export interface ScheduleList {
  appId: string;
  status: 'running' | 'stopped';
  schedules: ScheduleListing[];
}
