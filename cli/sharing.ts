/** @module The words of the sharing commands: access levels as typed (read, run, write, full) and as the cloud names them, and "everyone" for the cloud's `*`. */
import { EdgeError } from '../base/errors.ts';

const LEVELS = { read: 'READ', run: 'RUN', write: 'WRITE', full: 'FULL_CONTROL' } as const;

/** A grant as the cloud answers it. */
export interface GrantSummary {
  grantee: string;
  access: string;
  createdAt: string;
  updatedAt: string;
}

/** The cloud's level for `--as`; INVALID_INPUT naming the four otherwise. */
export function levelOf(typed: string): (typeof LEVELS)[keyof typeof LEVELS] {
  const level = Object.hasOwn(LEVELS, typed.toLowerCase()) ? LEVELS[typed.toLowerCase() as keyof typeof LEVELS] : undefined;
  if (!level) throw new EdgeError('INVALID_INPUT', `--as ${typed}: give read, run, write or full`);
  return level;
}

/** The grantee in a grant route's path: `*` for "everyone", else the address, escaped. */
export function granteePath(appId: string, grantee: string): string {
  return `/api/v1/apps/${appId}/grants/${grantee.toLowerCase() === 'everyone' ? '*' : encodeURIComponent(grantee)}`;
}

/** A grantee as a person reads it: "everyone" for `*`. */
export const granteeName = (grantee: string) => (grantee === '*' ? 'everyone' : grantee);
