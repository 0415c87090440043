/** @module Accounts in the cloud's database. */
import type { CloudDb } from '../db.ts';
import type { UserRecord } from '../data.ts';
import { newId } from '../ids.ts';

export interface UserStore {
  byEmail(email: string): UserRecord | undefined;
  byId(id: string): UserRecord | undefined;
  create(email: string, passwordHash: string): Promise<UserRecord>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
  /** The operator accounts. */
  operators(): UserRecord[];
  /**
   * Makes an existing account an operator or an ordinary user; false when it already was. Only the cloud's control
   * socket calls this (cloud/control-socket.ts): no HTTP route grants the role, and signing up never does.
   */
  setOperator(id: string, operator: boolean): Promise<boolean>;
}

/** Email addresses are compared without regard to case, as mail systems do. */
const normal = (email: string) => email.trim().toLowerCase();

export function userStore(db: CloudDb): UserStore {
  return {
    byEmail: (email) => db.data.users.find((user) => user.email === normal(email)),
    byId: (id) => db.data.users.find((user) => user.id === id),
    async create(email, passwordHash) {
      const user: UserRecord = { id: newId('usr'), email: normal(email), passwordHash, createdAt: new Date().toISOString() };
      db.data.users.push(user);
      await db.write();
      return user;
    },
    async setPasswordHash(id, passwordHash) {
      const user = db.data.users.find((candidate) => candidate.id === id);
      if (!user) return;
      user.passwordHash = passwordHash;
      await db.write();
    },
    operators: () => db.data.users.filter((user) => user.role === 'operator'),
    async setOperator(id, operator) {
      const user = db.data.users.find((candidate) => candidate.id === id);
      if (!user || operator === (user.role === 'operator')) return false;
      if (operator) user.role = 'operator';
      else delete user.role;
      await db.write();
      return true;
    },
  };
}
