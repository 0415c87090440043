/**
 * @module The roots a fleet courier holds leases on: each started when first assigned, renewed at every
 * heartbeat, and stopped when the cloud no longer assigns it or before its lease can run out.
 */
import type { Logger } from 'pino';
import type { Assignment } from './fleet-client.ts';
import type { RunningCourier } from './main.ts';

export interface FleetRootsOptions {
  /** Starts a courier on an assigned root. */
  start(assignment: Assignment): Promise<RunningCourier>;
  /** The lease the cloud grants, from the registration. */
  leaseMs: number;
  logger: Logger;
}

interface Held {
  /** The root's courier, or undefined when it could not start. */
  running: Promise<RunningCourier | undefined>;
  started: boolean;
  stopping?: Promise<void>;
  expiry?: NodeJS.Timeout;
}

export class FleetRoots {
  #options: FleetRootsOptions;
  #held = new Map<string, Held>();

  constructor(options: FleetRootsOptions) {
    this.#options = options;
  }

  /**
   * The roots to list in a heartbeat: starting, serving, or still stopping (so their lease holds while
   * requests in flight finish). A root that failed to start is not listed: the cloud then hands it elsewhere.
   */
  held(): string[] {
    return [...this.#held.keys()];
  }

  /** The roots being served now. */
  serving(): string[] {
    return [...this.#held].filter(([, held]) => held.started && !held.stopping).map(([rootId]) => rootId);
  }

  /** Applies a heartbeat's answer; `sentAt` is when the heartbeat left, before the cloud renewed anything. */
  apply(assignments: Assignment[], sentAt: number): void {
    const assigned = new Set(assignments.map((assignment) => assignment.rootId));
    for (const rootId of this.#held.keys()) if (!assigned.has(rootId)) this.#release(rootId, 'the cloud no longer assigns it to this courier');
    const { leaseMs } = this.#options;
    for (const assignment of assignments) {
      // Our clock may run behind the cloud's: the lease cannot end later than a full lease after the heartbeat left.
      const letGoAt = Math.min(assignment.leaseExpiresAt, sentAt + leaseMs) - leaseMs / 3;
      const held = this.#held.get(assignment.rootId);
      if (held?.stopping || (!held && letGoAt <= Date.now())) continue;
      this.#renew(assignment.rootId, held ?? this.#start(assignment), letGoAt);
    }
  }

  /** Stops every root; requests in flight finish first. */
  async stopAll(): Promise<void> {
    for (const rootId of this.#held.keys()) this.#release(rootId, 'the courier is stopping');
    await Promise.all([...this.#held.values()].map((held) => held.stopping));
  }

  #start(assignment: Assignment): Held {
    const { rootId, kind, path } = assignment;
    const logger = this.#options.logger.child({ rootId });
    const held: Held = {
      started: false,
      running: this.#options.start(assignment).then(
        (running) => {
          held.started = true;
          logger.info({ kind, path }, 'serving a root');
          return running;
        },
        (error: unknown) => {
          // Only the message: an error from a back end must not carry the root's credentials into the log.
          logger.error({ kind, path, error: (error as Error).message }, 'could not serve a root; the cloud will hand it to another courier');
          this.#forget(rootId, held);
          return undefined;
        },
      ),
    };
    this.#held.set(rootId, held);
    return held;
  }

  #renew(rootId: string, held: Held, letGoAt: number): void {
    clearTimeout(held.expiry);
    held.expiry = setTimeout(() => this.#release(rootId, 'its lease could not be renewed in time'), letGoAt - Date.now());
  }

  #release(rootId: string, why: string): void {
    const held = this.#held.get(rootId);
    if (!held || held.stopping) return;
    clearTimeout(held.expiry);
    this.#options.logger.info({ rootId, why }, 'letting a root go');
    held.stopping = held.running
      .then((running) => running?.stop())
      .catch((error: unknown) => this.#options.logger.error({ rootId, err: error }, 'error while stopping a root'))
      .finally(() => this.#forget(rootId, held));
  }

  #forget(rootId: string, held: Held): void {
    clearTimeout(held.expiry);
    if (this.#held.get(rootId) === held) this.#held.delete(rootId);
  }
}
