/**
 * @module A schedule as app.json declares it (a function run with a fixed input at an interval or on a cron
 * expression), and its slots in time: the next one after a moment, and the latest one at or before it.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { nestedDeeperThan } from './json-depth.ts';
import { functionNamePattern } from './names.ts';

/** Each schedule is a timer, a run and a record per slot; an app holds at most this many (docs/writing-apps.md). */
export const MAX_SCHEDULES_PER_APP = 10;
/**
 * The shortest interval. Every run is a call through the owner's fair share and leaves a record (an activation and a
 * database write in the cloud, a result file in the courier), so a shorter one would spend the owner's share on the
 * timer itself; and cron's finest field is the second.
 */
export const MIN_INTERVAL_MS = 1000;
/** The longest `every`; a rarer schedule is a cron expression. */
export const MAX_INTERVAL_MS = 366 * 24 * 3600 * 1000;
/** A schedule's `input` as JSON text: app.json holds it, and the cloud's app.json is at most 64 KiB. */
export const MAX_SCHEDULE_INPUT_BYTES = 16 * 1024;

const units = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const everyPattern = /^([1-9][0-9]{0,8})(s|m|h|d)$/;

/**
 * Milliseconds of an interval like "30s", "5m", "1h" or "2d", or undefined when it is not one.
 * @example intervalMs('5m') // 300000
 */
export function intervalMs(every: string): number | undefined {
  const match = everyPattern.exec(every);
  return match ? Number(match[1]) * units[match[2] as keyof typeof units] : undefined;
}

function validTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** A cron expression of 5 fields (minutes) or 6 (seconds first); croner reads it, as it does for the slots. */
function cronOf(expression: string, timezone: string | undefined): Cron {
  return new Cron(expression, { paused: true, timezone: timezone ?? 'UTC' });
}

export const scheduleSchema = z
  .strictObject({
    function: z.string().regex(functionNamePattern, 'a function name starts with a letter and holds only letters, digits, - and _'),
    every: z.string().max(20).optional(),
    cron: z.string().min(1).max(200).optional(),
    /** An IANA time zone the cron expression is read in; UTC unless given. */
    timezone: z.string().max(64).optional(),
    input: z.unknown().optional(),
    /** Start a slot's run while an earlier one still runs; false (skip the slot) unless set. */
    overlap: z.boolean().optional(),
  })
  .superRefine((schedule, ctx) => {
    const problem = (message: string, path: string) => ctx.addIssue({ code: 'custom', message, path: [path] });
    if ((schedule.every === undefined) === (schedule.cron === undefined)) problem('give one of "every" (an interval like "30s") and "cron", not both', 'every');
    if (schedule.every !== undefined) {
      const ms = intervalMs(schedule.every);
      if (ms === undefined) problem('an interval is a whole number and a unit: s, m, h or d, like "30s" or "5m"', 'every');
      else if (ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) problem(`an interval is at least 1s and at most 366d`, 'every');
      if (schedule.timezone !== undefined) problem('a time zone goes with "cron" only: intervals count from 1970-01-01T00:00:00Z', 'timezone');
    }
    if (schedule.timezone !== undefined && !validTimezone(schedule.timezone))
      problem(`"${schedule.timezone}" is not an IANA time zone like "Europe/Berlin"`, 'timezone');
    else if (schedule.cron !== undefined) {
      try {
        if (cronOf(schedule.cron, schedule.timezone).nextRun() === null) problem('this cron expression never comes round', 'cron');
      } catch (error) {
        problem(`not a cron expression: ${(error as Error).message}`, 'cron');
      }
    }
    if (schedule.input !== undefined) {
      if (nestedDeeperThan(schedule.input)) problem('the input nests too deep', 'input');
      else if (Buffer.byteLength(JSON.stringify(schedule.input)) > MAX_SCHEDULE_INPUT_BYTES)
        problem(`the input is larger than ${MAX_SCHEDULE_INPUT_BYTES} bytes of JSON`, 'input');
    }
  });

/** Schedules by name; a name is part of its results' file names, so it stays plain. */
export const schedulesSchema = z
  .record(z.string().regex(functionNamePattern, 'a schedule name starts with a letter and holds only letters, digits, - and _ (at most 64)'), scheduleSchema)
  .refine((schedules) => Object.keys(schedules).length <= MAX_SCHEDULES_PER_APP, `an app holds at most ${MAX_SCHEDULES_PER_APP} schedules`);

export type Schedule = z.infer<typeof scheduleSchema>;
export type Schedules = z.infer<typeof schedulesSchema>;

/** When a schedule's slots fall, its function and input aside: a changed timing starts the schedule afresh (scheduler.ts). */
export function timingOf(schedule: Schedule): string {
  return schedule.every !== undefined ? `every ${schedule.every}` : `cron ${schedule.cron} ${schedule.timezone ?? 'UTC'}`;
}

/**
 * The moments a schedule runs at, in milliseconds since 1970. Intervals fall on multiples of themselves since
 * 1970-01-01T00:00:00Z, so every process, before and after a restart, finds the same slots.
 */
export interface Slots {
  /** The first slot strictly after `after`; undefined when none comes. */
  next(after: number): number | undefined;
  /** The last slot at or before `at`; undefined when none was. */
  latest(at: number): number | undefined;
}

/**
 * The slots of a schedule that passed scheduleSchema.
 * @example slotsOf({ function: 'tick', every: '5s' }).next(Date.parse('2026-12-07T08:00:01Z')) // 2026-12-07T08:00:05Z
 */
export function slotsOf(schedule: Schedule): Slots {
  const every = schedule.every !== undefined ? intervalMs(schedule.every) : undefined;
  if (every !== undefined) {
    return { next: (after) => (Math.floor(after / every) + 1) * every, latest: (at) => Math.floor(at / every) * every };
  }
  const cron = cronOf(schedule.cron ?? '', schedule.timezone);
  return {
    next: (after) => cron.nextRun(new Date(after))?.getTime(),
    latest: (at) => cron.previousRuns(1, new Date(at + 1))[0]?.getTime(),
  };
}
