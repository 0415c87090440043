/** @module Accounts in the cloud's database. */
import type { CloudDb } from '../db.ts';
import type { UserRecord } from '../data.ts';
import { newId } from '../ids.ts';

export interface UserStore {
  byEmail(email: string): UserRecord | undefined;
  byId(id: string): UserRecord | undefined;
  create(email: string, passwordHash: string): Promise<UserRecord>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
  /**
   * Makes exactly the accounts of these addresses operators (the list given at start is the truth, so dropping an
   * address from it demotes the account), and any of them signing up later becomes one at once.
   */
  setOperators(emails: readonly string[]): Promise<void>;
}

/** Email addresses are compared without regard to case, as mail systems do. */
const normal = (email: string) => email.trim().toLowerCase();

export function userStore(db: CloudDb): UserStore {
  let operators = new Set<string>();
  return {
    byEmail: (email) => db.data.users.find((user) => user.email === normal(email)),
    byId: (id) => db.data.users.find((user) => user.id === id),
    async create(email, passwordHash) {
      const user: UserRecord = { id: newId('usr'), email: normal(email), passwordHash, createdAt: new Date().toISOString() };
      if (operators.has(user.email)) user.role = 'operator';
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
    async setOperators(emails) {
      operators = new Set(emails.map(normal));
      let changed = false;
      for (const user of db.data.users) {
        const operator = operators.has(user.email);
        if (operator === (user.role === 'operator')) continue;
        if (operator) user.role = 'operator';
        else delete user.role;
        changed = true;
      }
      if (changed) await db.write();
    },
  };
}
