/**
 * @module Who holds which root, decided at each heartbeat: pure, so the rules of docs/fleet-api.md are tested without HTTP.
 *
 * Persistence: a heartbeat that only renews changes `leaseExpiresAt` in memory, and the file is written only when a
 * root changes hands. After a restart the file's expiries may be stale, so `resumeLeases` runs every held lease for
 * one more full lease from the start: no renewal can have promised a courier more than that.
 */
import type { CourierRecord, RootRecord } from './data.ts';

/** The part of a root the rules read. */
export type Holding = Pick<RootRecord, 'id' | 'createdAt' | 'courierId' | 'leaseExpiresAt'>;

export interface HeartbeatInput {
  courierId: string;
  /** The roots the courier says it serves. */
  serving: ReadonlySet<string>;
  roots: readonly Holding[];
  /** Couriers heard from within a lease, the heartbeating one included. */
  liveCouriers: readonly string[];
  now: number;
}

/** Root ids: `keep` were the courier's and it still serves them, `release` it dropped, `take` are newly its own. */
export interface HeartbeatPlan {
  keep: string[];
  release: string[];
  take: string[];
}

export const leaseRunning = (root: Holding, now: number): boolean => root.leaseExpiresAt !== null && Date.parse(root.leaseExpiresAt) > now;

/**
 * Free roots (no holder, or a lease that ran out) go one by one to the live courier with the fewest roots, the
 * heartbeating one first among equals; only those landing on it are taken now, the rest wait for their courier's
 * heartbeat. A root it still holds stays its own even past expiry, as no one else took it meanwhile.
 * @example planHeartbeat({ courierId: 'cou_a', serving: new Set(), roots, liveCouriers: ['cou_a'], now: Date.now() })
 */
export function planHeartbeat(input: HeartbeatInput): HeartbeatPlan {
  const { courierId, serving, now } = input;
  const mine = input.roots.filter((root) => root.courierId === courierId);
  const keep = mine.filter((root) => serving.has(root.id)).map((root) => root.id);
  const release = mine.filter((root) => !serving.has(root.id)).map((root) => root.id);
  const load = new Map(input.liveCouriers.map((id) => [id, 0]));
  load.set(courierId, keep.length);
  for (const root of input.roots) {
    if (root.courierId !== null && root.courierId !== courierId && leaseRunning(root, now) && load.has(root.courierId)) {
      load.set(root.courierId, load.get(root.courierId)! + 1);
    }
  }
  const free = input.roots
    .filter((root) => root.courierId === null || (root.courierId !== courierId && !leaseRunning(root, now)))
    .toSorted((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const take: string[] = [];
  for (const root of free) {
    const target = leastLoaded(load, courierId);
    load.set(target, load.get(target)! + 1);
    if (target === courierId) take.push(root.id);
  }
  return { keep, release, take };
}

function leastLoaded(load: ReadonlyMap<string, number>, preferred: string): string {
  let best = preferred;
  for (const [id, count] of load) if (count < load.get(best)! || (count === load.get(best)! && best !== preferred && id < best)) best = id;
  return best;
}

/**
 * After a restart: every held lease runs one more full lease from `now`, and every courier counts as just heard
 * from (its last heartbeat may not have been written either; a dead one is simply not heard from again).
 */
export function resumeLeases(roots: Holding[], couriers: Array<Pick<CourierRecord, 'lastHeartbeatAt'>>, now: number, leaseMs: number): void {
  const until = new Date(now + leaseMs).toISOString();
  for (const root of roots) if (root.courierId !== null) root.leaseExpiresAt = until;
  for (const courier of couriers) courier.lastHeartbeatAt = new Date(now).toISOString();
}

/** The records renewals and heartbeats change. */
export interface Renewed {
  roots: Holding[];
  couriers: Array<Pick<CourierRecord, 'id' | 'lastHeartbeatAt'>>;
}

/**
 * After a refused write put the file's records back in memory (cloud/db.ts): the renewals and heartbeats memory held were
 * never written, so they are kept, for each root the same courier still holds and each courier the file knows.
 */
export function keepRenewals(saved: Renewed, memory: Renewed): void {
  const roots = new Map(memory.roots.map((root) => [root.id, root]));
  for (const root of saved.roots) {
    const held = roots.get(root.id);
    if (held && held.courierId === root.courierId) root.leaseExpiresAt = held.leaseExpiresAt;
  }
  const couriers = new Map(memory.couriers.map((courier) => [courier.id, courier]));
  for (const courier of saved.couriers) courier.lastHeartbeatAt = couriers.get(courier.id)?.lastHeartbeatAt ?? courier.lastHeartbeatAt;
}
