/** @module The schedule timer loop's rules over a clock the test moves and a ledger in memory: no drift, late timers run once, no overlap, one catch-up after a restart. */
import test from 'ava';
import { Scheduler, type ScheduleClock, type ScheduleLedger, type ScheduleRecord } from '../../runtime/scheduler.ts';
import type { Schedules } from '../../runtime/schedule.ts';

const T0 = Date.parse('2026-12-07T08:00:00Z');

/** Timers fire in time order as the test moves the clock; a run's promise settles between them. */
class FakeClock implements ScheduleClock {
  at = T0 + 100;
  #timers = new Map<number, { due: number; fire: () => void }>();
  #ids = 0;
  now = () => this.at;
  setTimer(fire: () => void, ms: number) {
    this.#ids += 1;
    this.#timers.set(this.#ids, { due: this.at + ms, fire });
    return this.#ids;
  }
  clearTimer(id: unknown) {
    this.#timers.delete(id as number);
  }
  /** Moves to `ms` later, firing each timer that falls due on the way at its own time. */
  async advance(ms: number) {
    const end = this.at + ms;
    for (;;) {
      const [id, timer] = [...this.#timers].sort((a, b) => a[1].due - b[1].due)[0] ?? [];
      if (id === undefined || timer!.due > end) break;
      this.#timers.delete(id);
      this.at = Math.max(this.at, timer!.due);
      timer!.fire();
      await settle();
    }
    this.at = end;
  }
  /** Jumps to `ms` later at once, as a blocked event loop does, then lets the timers that are late fire. */
  async jump(ms: number) {
    this.at += ms;
    await this.advance(0);
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function memoryLedger(records = new Map<string, ScheduleRecord>()): ScheduleLedger & { records: Map<string, ScheduleRecord> } {
  return {
    records,
    get: (group, name) => records.get(`${group}/${name}`),
    put: async (group, name, record) => void records.set(`${group}/${name}`, structuredClone(record)),
    drop: async (group) => [...records.keys()].filter((key) => key.startsWith(`${group}/`)).forEach((key) => records.delete(key)),
  };
}

function setup(ledger = memoryLedger(), clock = new FakeClock()) {
  const slots: string[] = [];
  const skipped: number[] = [];
  const scheduler = new Scheduler({ ledger, clock, onEvent: (event) => event.kind === 'skipped' && skipped.push(event.slot) });
  const run = async (_name: string, _schedule: unknown, slot: number) => {
    slots.push(new Date(slot).toISOString().slice(11, 19));
    return { outcome: 'ok' };
  };
  return { clock, ledger, scheduler, slots, skipped, run };
}

const everySecond: Schedules = { tick: { function: 'tick', every: '1s' } };

test('an interval runs once at each of its slots, which fall on whole multiples of it', async (t) => {
  const { clock, scheduler, slots, run } = setup();
  scheduler.sync('app', everySecond, run);
  await clock.advance(3000);
  t.deepEqual(slots, ['08:00:01', '08:00:02', '08:00:03']);
  t.is(scheduler.state('app', 'tick')?.next, T0 + 4000);
});

test('a timer that fires late runs the latest slot once, not each slot it missed', async (t) => {
  const { clock, scheduler, slots, run } = setup();
  scheduler.sync('app', everySecond, run);
  await clock.jump(10_500);
  t.deepEqual(slots, ['08:00:10']);
  await clock.advance(1000);
  t.deepEqual(slots, ['08:00:10', '08:00:11']);
});

test('a slot that comes while the last run still goes is skipped and counted, unless the schedule asks to overlap', async (t) => {
  for (const overlap of [false, true]) {
    const { clock, scheduler, skipped } = setup();
    let started = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    scheduler.sync('app', { slow: { function: 'slow', every: '1s', overlap } }, async () => {
      started += 1;
      await held;
      return { outcome: 'ok' };
    });
    await clock.advance(3000);
    t.is(started, overlap ? 3 : 1, `overlap: ${overlap}`);
    t.is(skipped.length, overlap ? 0 : 2);
    t.is(scheduler.state('app', 'slow')?.running, started);
    release();
    await settle();
    await clock.advance(1000);
    t.is(started, overlap ? 4 : 2, 'runs again once the run ended');
  }
});

test('after a restart that missed slots one catch-up runs at once, for the latest slot, then the schedule goes on from now', async (t) => {
  const first = setup();
  first.scheduler.sync('app', everySecond, first.run);
  await first.clock.advance(2000);
  await first.scheduler.close();
  t.is(first.ledger.records.get('app/tick')?.lastSlot, T0 + 2000);
  // Down for a minute: sixty slots pass.
  const clock = new FakeClock();
  clock.at = first.clock.at + 60_000;
  const second = setup(first.ledger, clock);
  second.scheduler.sync('app', everySecond, second.run);
  await settle();
  t.deepEqual(second.slots, ['08:01:02']);
  await clock.advance(1000);
  t.deepEqual(second.slots, ['08:01:02', '08:01:03']);
});

test('a schedule new to the ledger, or whose timing changed, begins with the next slot', async (t) => {
  const ledger = memoryLedger(new Map([['app/tick', { timing: 'every 5s', lastSlot: T0 - 60_000, skipped: 0 }]]));
  const { clock, scheduler, slots, run } = setup(ledger);
  scheduler.sync('app', { ...everySecond, fresh: { function: 'tick', every: '2s' } }, run);
  await settle();
  t.deepEqual(slots, [], 'nothing runs for slots before the schedule was as it is');
  await clock.advance(1000);
  t.deepEqual(slots, ['08:00:01']);
});

test('a run is in the ledger before it starts, so a process that dies during it does not run it again', async (t) => {
  const { clock, scheduler, ledger } = setup();
  let seenBefore: ScheduleRecord | undefined;
  scheduler.sync('app', everySecond, async () => {
    seenBefore = structuredClone(ledger.records.get('app/tick'));
    return { outcome: 'TIMEOUT', ref: 'act_1' };
  });
  await clock.advance(1000);
  t.is(seenBefore?.lastSlot, T0 + 1000);
  t.like(ledger.records.get('app/tick')?.lastRun, { slot: '2026-12-07T08:00:01.000Z', outcome: 'TIMEOUT', ref: 'act_1' });
});

test('schedules left out of a sync stop, and a dropped group leaves nothing in the ledger', async (t) => {
  const { clock, scheduler, slots, ledger, run } = setup();
  scheduler.sync('app', everySecond, run);
  await clock.advance(1000);
  scheduler.sync('app', {}, run);
  await clock.advance(3000);
  t.deepEqual(slots, ['08:00:01']);
  t.is(scheduler.state('app', 'tick'), undefined);
  await scheduler.drop('app');
  t.is(ledger.records.size, 0);
});

test('a cron expression runs in its time zone', async (t) => {
  const { clock, scheduler, slots, run } = setup();
  clock.at = Date.parse('2026-12-07T08:59:59.500Z');
  // 10:00 in Berlin is 09:00 UTC in December.
  scheduler.sync('app', { hourly: { function: 'tick', cron: '0 10 * * *', timezone: 'Europe/Berlin' } }, run);
  await clock.advance(1000);
  t.deepEqual(slots, ['09:00:00']);
});
