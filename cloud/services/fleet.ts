/** @module The fleet registry: couriers register and heartbeat, and get the roots they hold under a lease (docs/fleet-api.md). */
import type { Assignment } from '../../api/fleet.ts';
import { EdgeError } from '../../base/errors.ts';
import type { CourierRecord, RootRecord } from '../data.ts';
import { leaseRunning, planHeartbeat, resumeLeases } from '../leases.ts';
import type { SecretBox } from '../secret-box.ts';
import type { CourierStore } from '../stores/couriers.ts';
import type { RootStore } from '../stores/roots.ts';

export interface FleetSettings {
  roots: RootStore;
  couriers: CourierStore;
  box: SecretBox;
  leaseMs: number;
  now?: () => number;
}

/** A courier silent this many leases is forgotten when another registers. */
const FORGET_AFTER_LEASES = 10;

const courierNotFound = (id: string) => new EdgeError('NOT_FOUND', `no courier ${id}: it deregistered or was silent too long; register again`);

export class FleetRegistry {
  readonly leaseMs: number;
  /** Five beats a lease: a courier that keeps a third of the lease as margin still gets two more tries after a missed one. */
  readonly heartbeatMs: number;
  #roots: RootStore;
  #couriers: CourierStore;
  #box: SecretBox;
  #now: () => number;

  /** Resumes the leases of the stored roots (see cloud/leases.ts), so a restart never frees a root still served. */
  constructor(settings: FleetSettings) {
    this.leaseMs = settings.leaseMs;
    this.heartbeatMs = Math.max(1, Math.floor(settings.leaseMs / 5));
    this.#roots = settings.roots;
    this.#couriers = settings.couriers;
    this.#box = settings.box;
    this.#now = settings.now ?? Date.now;
    resumeLeases(this.#roots.all(), this.#couriers.all(), this.#now(), this.leaseMs);
  }

  register(name: string): Promise<CourierRecord> {
    return this.#couriers.register(name, this.#now() - FORGET_AFTER_LEASES * this.leaseMs);
  }

  /** The courier's assignments after this heartbeat; NOT_FOUND when no courier has that id. Writes only when a root changes hands. */
  async heartbeat(courierId: string, serving: readonly string[]): Promise<Assignment[]> {
    const courier = this.#couriers.get(courierId);
    if (!courier) throw courierNotFound(courierId);
    const now = this.#now();
    courier.lastHeartbeatAt = new Date(now).toISOString();
    const roots = this.#roots.all();
    const live = this.#couriers
      .all()
      .filter((known) => Date.parse(known.lastHeartbeatAt) + this.leaseMs > now)
      .map((known) => known.id);
    const plan = planHeartbeat({ courierId, serving: new Set(serving), roots, liveCouriers: live, now });
    const byId = new Map(roots.map((root) => [root.id, root]));
    const leaseExpiresAt = new Date(now + this.leaseMs).toISOString();
    for (const id of plan.release) hold(byId.get(id)!, null, null);
    for (const id of [...plan.keep, ...plan.take]) hold(byId.get(id)!, courierId, leaseExpiresAt);
    if (plan.release.length + plan.take.length > 0) await this.#roots.save();
    return [...plan.keep, ...plan.take].map((id) => this.#assignment(byId.get(id)!));
  }

  /** Frees the courier's roots at once and forgets it; NOT_FOUND when no courier has that id. */
  async deregister(courierId: string): Promise<void> {
    if (!this.#couriers.forget(courierId)) throw courierNotFound(courierId);
    for (const root of this.#roots.all()) if (root.courierId === courierId) hold(root, null, null);
    await this.#roots.save();
  }

  list(): Array<{ id: string; name: string; lastHeartbeatAt: string; roots: string[] }> {
    const now = this.#now();
    return this.#couriers.all().map((courier) => ({
      id: courier.id,
      name: courier.name,
      lastHeartbeatAt: courier.lastHeartbeatAt,
      roots: this.#roots
        .all()
        .filter((root) => root.courierId === courier.id && leaseRunning(root, now))
        .map((root) => root.id),
    }));
  }

  /** The courier serving `root` now, if any. */
  holderOf(root: RootRecord): CourierRecord | undefined {
    return root.courierId !== null && leaseRunning(root, this.#now()) ? this.#couriers.get(root.courierId) : undefined;
  }

  /**
   * The account root `rootId` is linked to, while courier `courierId` holds its lease; ROOT_NOT_HELD otherwise (the
   * lease moved or ran out, or the root was deleted), so only the courier serving a root acts for its account.
   */
  ownerOfHeld(courierId: string, rootId: string): string {
    const root = this.#roots.all().find((candidate) => candidate.id === rootId);
    if (!root || this.holderOf(root)?.id !== courierId)
      throw new EdgeError('ROOT_NOT_HELD', `courier ${courierId} holds no lease on root ${rootId} now: the courier serving it acts for it`);
    return root.ownerId;
  }

  #assignment(root: RootRecord): Assignment {
    const credentials = root.credentials === null ? undefined : (JSON.parse(this.#box.open(root.credentials, root.id)) as Record<string, string>);
    return { rootId: root.id, kind: root.kind, path: root.path, ...(credentials && { credentials }), leaseExpiresAt: root.leaseExpiresAt! };
  }
}

function hold(root: RootRecord, courierId: string | null, leaseExpiresAt: string | null): void {
  root.courierId = courierId;
  root.leaseExpiresAt = leaseExpiresAt;
}
