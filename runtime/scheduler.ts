/**
 * @module The timer loop of schedules, for any trigger that runs them (the cloud for running apps, the courier for
 * folder apps). Each schedule's timer is armed from the clock for its next slot, never by adding an interval to the
 * last one, so it does not drift; a timer that fires late runs the latest slot that passed, once. The last slot run
 * is kept in a ledger the trigger persists, so after a restart a schedule that missed slots runs one of them, then
 * goes on from now. A slot that comes while the schedule's run still goes is skipped unless it asks to overlap.
 */
import { slotsOf, timingOf, type Schedule, type Schedules, type Slots } from './schedule.ts';

/** Time and timers, so that a test can move time itself. */
export interface ScheduleClock {
  now(): number;
  setTimer(fire: () => void, ms: number): unknown;
  clearTimer(timer: unknown): void;
}

/** The process's clock; its timers do not keep a process alive that has nothing else to do. */
export const systemClock: ScheduleClock = {
  now: () => Date.now(),
  setTimer: (fire, ms) => setTimeout(fire, ms).unref(),
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** One run of a schedule, as its ledger keeps it. */
export interface ScheduleRun {
  /** The slot it ran for (ISO 8601): its file name in the courier's results/. */
  slot: string;
  startedAt: string;
  /** Absent while it runs, or when the process ended before it did. */
  endedAt?: string;
  /** `ok`, or the code of the error it ended with. */
  outcome?: string;
  /** Where its answer is: an activation id in the cloud, a result file in the courier. */
  ref?: string;
}

/** What a ledger keeps of one schedule. */
export interface ScheduleRecord {
  /** timingOf the schedule the slot belongs to: a schedule whose timing changed starts afresh. */
  timing: string;
  /** The last slot run or skipped, in ms since 1970. */
  lastSlot: number;
  lastRun?: ScheduleRun;
  /** Slots skipped because a run still went, counted as of the last write. */
  skipped: number;
}

/** Where the last slots persist, by group (an app) and schedule name: the cloud's database, the courier's state folder. */
export interface ScheduleLedger {
  get(group: string, name: string): ScheduleRecord | undefined;
  put(group: string, name: string, record: ScheduleRecord): Promise<void>;
  /** Forgets every schedule of the group (its app was deleted). */
  drop(group: string): Promise<void>;
}

/** What a run ended with. */
export interface RunOutcome {
  outcome: string;
  ref?: string;
}

/** Runs `schedule`'s function for `slot`; the trigger's adapter over the invocation service. Never throws in use. */
export type ScheduleRunner = (name: string, schedule: Schedule, slot: number) => Promise<RunOutcome>;

/** Told so the trigger can log it. */
export type ScheduleEvent =
  | { kind: 'skipped'; group: string; name: string; slot: number; running: number }
  | { kind: 'ledger-failed'; group: string; name: string; error: unknown }
  | { kind: 'run-failed'; group: string; name: string; error: unknown };

/** A schedule as the scheduler runs it now. */
export interface ScheduleState {
  next?: number;
  running: number;
  skipped: number;
}

/** The two methods of a logger (pino's) the events need. */
export interface EventLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * The events in a trigger's log, in the same words for the cloud and the courier.
 * @example new Scheduler({ ledger, onEvent: logScheduleEvents(logger.child({ component: 'schedules' })) })
 */
export function logScheduleEvents(log: EventLog): (event: ScheduleEvent) => void {
  return (event) => {
    const { kind: _, group, name, ...rest } = event;
    const fields = {
      app: group,
      schedule: name,
      ...('slot' in rest ? { slot: new Date(rest.slot).toISOString(), running: rest.running } : { err: rest.error }),
    };
    if (event.kind === 'skipped') log.info(fields, 'a slot was skipped: the last run of the schedule still goes');
    else if (event.kind === 'ledger-failed') log.error(fields, 'could not record the last slot of a schedule; after a restart it may run again');
    else log.error(fields, 'a scheduled run failed unexpectedly');
  };
}

export interface SchedulerOptions {
  ledger: ScheduleLedger;
  clock?: ScheduleClock;
  onEvent?: (event: ScheduleEvent) => void;
}

/** Runs at once of a schedule that asks to overlap: slots past them are skipped all the same, so runs cannot pile up without bound. */
export const MAX_OVERLAPPING_RUNS = 4;
/** The longest a timer is set for: a longer wait is re-armed from the clock, which may have been set meanwhile. */
const MAX_TIMER_MS = 3_600_000;

interface Entry {
  group: string;
  name: string;
  schedule: Schedule;
  slots: Slots;
  timing: string;
  run: ScheduleRunner;
  timer?: unknown;
  lastSlot: number;
  lastRun?: ScheduleRun;
  running: number;
  skipped: number;
  /** Removed with its app deleted: nothing more of it is written. */
  dropped: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Runs the schedules of many groups on one clock.
 * @example scheduler.sync('shop', app.config.schedules ?? {}, (name, schedule, slot) => runIt(schedule, slot))
 */
export class Scheduler {
  #ledger: ScheduleLedger;
  #clock: ScheduleClock;
  #onEvent: (event: ScheduleEvent) => void;
  #groups = new Map<string, Map<string, Entry>>();
  #runs = new Set<Promise<void>>();
  #closed = false;

  constructor(options: SchedulerOptions) {
    this.#ledger = options.ledger;
    this.#clock = options.clock ?? systemClock;
    this.#onEvent = options.onEvent ?? (() => {});
  }

  /** Makes `schedules` the group's: new ones start, changed ones take effect, those left out stop (their runs going on finish). */
  sync(group: string, schedules: Schedules, run: ScheduleRunner): void {
    if (this.#closed) return;
    const entries = this.#groups.get(group) ?? new Map<string, Entry>();
    for (const [name, entry] of entries) if (!Object.hasOwn(schedules, name)) this.#remove(entries, name, entry);
    for (const [name, schedule] of Object.entries(schedules)) {
      const entry = entries.get(name);
      if (entry && entry.timing === timingOf(schedule)) Object.assign(entry, { schedule, run });
      else {
        if (entry) this.#remove(entries, name, entry);
        entries.set(name, this.#entry(group, name, schedule, run));
      }
    }
    if (entries.size === 0) this.#groups.delete(group);
    else this.#groups.set(group, entries);
    for (const entry of entries.values()) if (entry.timer === undefined) this.#tick(entry);
  }

  /** Stops the group's schedules and forgets their ledger records, for an app deleted. */
  async drop(group: string): Promise<void> {
    for (const [name, entry] of this.#groups.get(group) ?? []) {
      entry.dropped = true;
      this.#remove(this.#groups.get(group)!, name, entry);
    }
    this.#groups.delete(group);
    await this.#ledger.drop(group);
  }

  /** The schedule's next slot and runs going on; undefined when it is not running. */
  state(group: string, name: string): ScheduleState | undefined {
    const entry = this.#groups.get(group)?.get(name);
    if (!entry) return undefined;
    const next = entry.slots.next(Math.max(this.#clock.now(), entry.lastSlot));
    return { ...(next !== undefined && { next }), running: entry.running, skipped: entry.skipped };
  }

  /** Stops every timer and waits for the runs going on. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const entries of this.#groups.values()) for (const [name, entry] of entries) this.#remove(entries, name, entry);
    this.#groups.clear();
    while (this.#runs.size > 0) await Promise.all([...this.#runs]);
  }

  #entry(group: string, name: string, schedule: Schedule, run: ScheduleRunner): Entry {
    const slots = slotsOf(schedule);
    const timing = timingOf(schedule);
    const record = this.#ledger.get(group, name);
    const known = record?.timing === timing ? record : undefined;
    // A schedule new to the ledger (or whose timing changed) begins now: the slots before it were never its own.
    const lastSlot = known?.lastSlot ?? slots.latest(this.#clock.now()) ?? Number.NEGATIVE_INFINITY;
    const entry: Entry = { group, name, schedule, slots, timing, run, lastSlot, running: 0, skipped: known?.skipped ?? 0, dropped: false };
    if (record?.lastRun) entry.lastRun = record.lastRun;
    return entry;
  }

  #remove(entries: Map<string, Entry>, name: string, entry: Entry): void {
    if (entry.timer !== undefined) this.#clock.clearTimer(entry.timer);
    entry.timer = undefined;
    entries.delete(name);
  }

  /** Runs the latest slot that passed unless it ran (one run for any number missed), then arms the timer for the next. */
  #tick(entry: Entry): void {
    entry.timer = undefined;
    if (this.#groups.get(entry.group)?.get(entry.name) !== entry) return;
    const now = this.#clock.now();
    const due = entry.slots.latest(now);
    if (due !== undefined && due > entry.lastSlot) {
      entry.lastSlot = due;
      const room = entry.schedule.overlap ? MAX_OVERLAPPING_RUNS : 1;
      if (entry.running < room) this.#start(entry, due);
      else {
        entry.skipped += 1;
        this.#onEvent({ kind: 'skipped', group: entry.group, name: entry.name, slot: due, running: entry.running });
      }
    }
    const next = entry.slots.next(now);
    if (next !== undefined) entry.timer = this.#clock.setTimer(() => this.#tick(entry), Math.min(next - now, MAX_TIMER_MS));
  }

  #start(entry: Entry, slot: number): void {
    const started: ScheduleRun = { slot: iso(slot), startedAt: iso(this.#clock.now()) };
    entry.lastRun = started;
    entry.running += 1;
    const run = (async () => {
      // Written before the run starts: a process that dies during it does not run the slot again after a restart.
      await this.#persist(entry);
      let ended: RunOutcome;
      try {
        ended = await entry.run(entry.name, entry.schedule, slot);
      } catch (error) {
        this.#onEvent({ kind: 'run-failed', group: entry.group, name: entry.name, error });
        ended = { outcome: 'INTERNAL_ERROR' };
      }
      if (entry.lastRun === started) entry.lastRun = { ...started, endedAt: iso(this.#clock.now()), ...ended };
      entry.running -= 1;
      await this.#persist(entry);
    })();
    this.#runs.add(run);
    void run.finally(() => this.#runs.delete(run));
  }

  async #persist(entry: Entry): Promise<void> {
    if (entry.dropped) return;
    const record: ScheduleRecord = { timing: entry.timing, lastSlot: entry.lastSlot, skipped: entry.skipped, ...(entry.lastRun && { lastRun: entry.lastRun }) };
    await this.#ledger
      .put(entry.group, entry.name, record)
      .catch((error: unknown) => this.#onEvent({ kind: 'ledger-failed', group: entry.group, name: entry.name, error }));
  }
}
