/** @module Random ids and secret tokens, and the hashes under which tokens are stored. */
import { createHash, randomBytes } from 'node:crypto';

/** A public id with a readable prefix, e.g. `app_3f9c0a1b2c4d5e6f`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/** A secret token: 32 random bytes, so a fast hash is enough to store it (passwords use bcrypt). */
export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
