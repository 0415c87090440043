/** @module Registered couriers in the cloud's database. */
import type { CloudDb } from '../db.ts';
import type { CourierRecord } from '../data.ts';
import { newId } from '../ids.ts';

export interface CourierStore {
  /** Registers a courier; couriers silent since before `forgetBefore` (and so holding no live lease) are dropped meanwhile. */
  register(name: string, forgetBefore: number): Promise<CourierRecord>;
  get(id: string): CourierRecord | undefined;
  all(): CourierRecord[];
  /** Drops the courier from memory; the caller writes, together with the roots it frees. */
  forget(id: string): boolean;
}

export function courierStore(db: CloudDb): CourierStore {
  return {
    async register(name, forgetBefore) {
      const now = new Date().toISOString();
      const courier: CourierRecord = { id: newId('cou'), name, registeredAt: now, lastHeartbeatAt: now };
      // Couriers replaced by a restart never deregister; without this the list would grow with every one.
      db.data.couriers = db.data.couriers.filter((known) => Date.parse(known.lastHeartbeatAt) >= forgetBefore);
      db.data.couriers.push(courier);
      await db.write();
      return courier;
    },
    get: (id) => db.data.couriers.find((courier) => courier.id === id),
    all: () => db.data.couriers,
    forget(id) {
      const before = db.data.couriers.length;
      db.data.couriers = db.data.couriers.filter((courier) => courier.id !== id);
      return db.data.couriers.length !== before;
    },
  };
}
