/** @module Sessions and API tokens in the cloud's database, found by the hash of the token. */
import { removeWhere, type CloudDb } from '../db.ts';
import type { TokenRecord } from '../data.ts';
import { hashToken, newId, newToken } from '../ids.ts';

export interface TokenStore {
  /** Creates a token and returns it in the clear, the only time it exists so. */
  create(userId: string, kind: TokenRecord['kind'], name: string, ttlMs: number | null): Promise<{ record: TokenRecord; token: string }>;
  /** The live token record for `token`, or undefined when it is unknown, revoked or expired. */
  find(token: string): TokenRecord | undefined;
  listApi(userId: string): TokenRecord[];
  /** Revokes one of the user's tokens; false when it has none of that id. */
  revoke(userId: string, id: string): Promise<boolean>;
  /** Revokes every session and API token of the user, as a password reset must: any of them may be what leaked. */
  revokeAll(userId: string): Promise<void>;
}

/** Sessions one user holds at most: a new log-in past that ends the oldest. */
export const MAX_SESSIONS_PER_USER = 100;

export function tokenStore(db: CloudDb): TokenStore {
  const live = (record: TokenRecord) => record.expiresAt === null || Date.parse(record.expiresAt) > Date.now();
  return {
    async create(userId, kind, name, ttlMs) {
      const token = newToken(kind === 'session' ? 'ecs' : 'ecp');
      const now = Date.now();
      const record: TokenRecord = {
        id: newId('tok'),
        userId,
        kind,
        name,
        tokenHash: hashToken(token),
        createdAt: new Date(now).toISOString(),
        expiresAt: ttlMs === null ? null : new Date(now + ttlMs).toISOString(),
      };
      // Expired sessions are dropped whenever a new one is made, and a user's oldest sessions past the
      // most one may hold, so that logging in again and again cannot grow the database without end.
      db.data.tokens = db.data.tokens.filter(live);
      if (kind === 'session') {
        const sessions = db.data.tokens.filter((candidate) => candidate.userId === userId && candidate.kind === 'session');
        const ended = new Set(sessions.slice(0, Math.max(0, sessions.length - MAX_SESSIONS_PER_USER + 1)));
        db.data.tokens = db.data.tokens.filter((candidate) => !ended.has(candidate));
      }
      db.data.tokens.push(record);
      await db.write();
      return { record, token };
    },
    find(token) {
      const hash = hashToken(token);
      const record = db.data.tokens.find((candidate) => candidate.tokenHash === hash);
      return record && live(record) ? record : undefined;
    },
    listApi: (userId) => db.data.tokens.filter((record) => record.userId === userId && record.kind === 'api'),
    revoke: (userId, id) => removeWhere(db, 'tokens', (record) => record.userId === userId && record.id === id),
    async revokeAll(userId) {
      db.data.tokens = db.data.tokens.filter((record) => record.userId !== userId);
      await db.write();
    },
  };
}
