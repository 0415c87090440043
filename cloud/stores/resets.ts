/** @module Password-reset tokens: stored hashed, single use, expiring. */
import type { CloudDb } from '../db.ts';
import { hashToken, newToken } from '../ids.ts';

export interface ResetStore {
  /** Creates a reset token for the user and returns it in the clear, for the mail. */
  create(userId: string, ttlMs: number): Promise<string>;
  /** The user of a live token (known, unused, unexpired), leaving it usable. */
  userOf(token: string): string | undefined;
  /** Marks the token and every other of its user's tokens used and returns its user, or undefined when it is unknown, used or expired. */
  consume(token: string): Promise<string | undefined>;
}

export function resetStore(db: CloudDb): ResetStore {
  const liveReset = (token: string) => {
    const hash = hashToken(token);
    const reset = db.data.resets.find((candidate) => candidate.tokenHash === hash);
    return reset && !reset.used && Date.parse(reset.expiresAt) > Date.now() ? reset : undefined;
  };
  return {
    async create(userId, ttlMs) {
      const token = newToken('ecr');
      db.data.resets = db.data.resets.filter((reset) => !reset.used && Date.parse(reset.expiresAt) > Date.now());
      db.data.resets.push({ tokenHash: hashToken(token), userId, expiresAt: new Date(Date.now() + ttlMs).toISOString(), used: false });
      await db.write();
      return token;
    },
    userOf: (token) => liveReset(token)?.userId,
    async consume(token) {
      const reset = liveReset(token);
      if (!reset) return undefined;
      // Every link of the user ends here: an older mail, left in an inbox, must not change the new password.
      for (const candidate of db.data.resets) if (candidate.userId === reset.userId) candidate.used = true;
      await db.write();
      return reset.userId;
    },
  };
}
