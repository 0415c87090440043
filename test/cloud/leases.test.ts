/** The lease rules of docs/fleet-api.md as a pure function: who keeps, releases and takes which root at a heartbeat. */
import test from 'ava';
import { keepRenewals, planHeartbeat, resumeLeases, type Holding } from '../../cloud/leases.ts';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();
const free = (id: string): Holding => ({ id, createdAt: at(-1000), courierId: null, leaseExpiresAt: null });
const held = (id: string, courierId: string, expiresInMs: number): Holding => ({ id, createdAt: at(-1000), courierId, leaseExpiresAt: at(expiresInMs) });
const plan = (courierId: string, serving: string[], roots: Holding[], liveCouriers: string[]) =>
  planHeartbeat({ courierId, serving: new Set(serving), roots, liveCouriers, now: NOW });

test('free roots are shared with the other live couriers: the heartbeating one takes only its share', (t) => {
  const roots = ['r1', 'r2', 'r3', 'r4', 'r5'].map(free);
  t.deepEqual(plan('a', [], roots, ['a', 'b']).take, ['r1', 'r3', 'r5']);
  t.deepEqual(plan('a', [], roots, ['a']).take, ['r1', 'r2', 'r3', 'r4', 'r5']);
});

test('a courier keeps the roots it lists and releases the ones it no longer lists, without taking them back at once', (t) => {
  const roots = [held('r1', 'a', 5000), held('r2', 'a', 5000)];
  t.deepEqual(plan('a', ['r1'], roots, ['a']), { keep: ['r1'], release: ['r2'], take: [] });
});

test("another courier's root moves only once its lease ran out", (t) => {
  t.deepEqual(plan('b', [], [held('r1', 'a', 1)], ['a', 'b']).take, []);
  t.deepEqual(plan('b', [], [held('r1', 'a', 0)], ['a', 'b']).take, ['r1']);
});

test('a late courier keeps a root whose lease ran out when no one took it meanwhile', (t) => {
  t.deepEqual(plan('a', ['r1'], [held('r1', 'a', -500)], ['a']).keep, ['r1']);
});

test('a root it lists but does not hold is not its own', (t) => {
  t.deepEqual(plan('a', ['r1'], [held('r1', 'b', 5000)], ['a', 'b']), { keep: [], release: [], take: [] });
});

test('roots held by live couriers count, so free ones go to the emptiest', (t) => {
  const roots = [held('r1', 'b', 5000), held('r2', 'b', 5000), free('r3'), free('r4')];
  t.deepEqual(plan('a', [], roots, ['a', 'b']).take, ['r3', 'r4']);
});

test('a root is never handed to a second courier while a lease on it runs', (t) => {
  const roots: Holding[] = Array.from({ length: 12 }, (_, i) => free(`r${i}`));
  const couriers = ['a', 'b', 'c'];
  for (let beat = 0; beat < 30; beat++) {
    const now = NOW + beat * 100;
    const courierId = couriers[beat % 3]!;
    // Now and then a courier drops everything, as one shutting down does; the last rounds let the fleet settle.
    const dropsAll = beat % 7 === 0 && beat < 24;
    const serving = roots.filter((root) => root.courierId === courierId && !dropsAll).map((root) => root.id);
    const result = planHeartbeat({ courierId, serving: new Set(serving), roots, liveCouriers: couriers, now });
    for (const id of result.take) {
      const root = roots.find((candidate) => candidate.id === id)!;
      t.true(root.courierId === null || Date.parse(root.leaseExpiresAt!) <= now, `${id} taken from ${root.courierId}`);
    }
    for (const root of roots) {
      if (result.release.includes(root.id)) Object.assign(root, { courierId: null, leaseExpiresAt: null });
      if ([...result.keep, ...result.take].includes(root.id)) Object.assign(root, { courierId, leaseExpiresAt: new Date(now + 1000).toISOString() });
    }
  }
  const counts = couriers.map((id) => roots.filter((root) => root.courierId === id).length);
  t.true(Math.max(...counts) - Math.min(...counts) <= 1, `spread ${counts.join(', ')}`);
});

test('after a restart every held lease runs one more full lease, and every courier counts as heard from', (t) => {
  const roots = [held('r1', 'a', -60_000), free('r2')];
  const couriers = [{ lastHeartbeatAt: at(-60_000) }];
  resumeLeases(roots, couriers, NOW, 15_000);
  t.is(roots[0]!.leaseExpiresAt, at(15_000));
  t.is(roots[1]!.leaseExpiresAt, null);
  t.is(couriers[0]!.lastHeartbeatAt, at(0));
});

test("after a refused write put the file back, memory's unwritten renewals and heartbeats stay, but not a root that changed hands", (t) => {
  const saved = { roots: [held('r1', 'a', -60_000), held('r2', 'a', -60_000), free('r3')], couriers: [{ id: 'a', lastHeartbeatAt: at(-60_000) }] };
  const memory = { roots: [held('r1', 'a', 15_000), held('r2', 'b', 15_000), held('r3', 'a', 15_000)], couriers: [{ id: 'a', lastHeartbeatAt: at(0) }] };
  keepRenewals(saved, memory);
  t.deepEqual(
    saved.roots.map((root) => [root.courierId, root.leaseExpiresAt]),
    [
      ['a', at(15_000)],
      ['a', at(-60_000)],
      [null, null],
    ],
  );
  t.is(saved.couriers[0]!.lastHeartbeatAt, at(0));
});
