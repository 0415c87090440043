/**
 * @module Grants on the wire (docs/http-api.md, "Sharing"), written once for every side: the access levels, the
 * grantee that means everyone, and a grant as the cloud lists it and the console reads it.
 */

/** What a grant allows, lowest first: each level allows everything the ones before it do (cloud/services/app-access.ts). */
export const ACCESS_LEVELS = ['READ', 'RUN', 'WRITE', 'FULL_CONTROL'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

/** The grantee of a grant to everyone, signed in or not. */
export const EVERYONE = '*';

/** True when `access` (undefined: none) allows what `needed` does. */
export function allows(access: Access | undefined, needed: Access): boolean {
  return access !== undefined && ACCESS_LEVELS.indexOf(access) >= ACCESS_LEVELS.indexOf(needed);
}

/** A grant as its app's controllers see it: the grantee by address, or `*` for everyone. */
export interface Grant {
  grantee: string;
  access: Access;
  createdAt: string;
  updatedAt: string;
}
