/** @module Activation ids, made the same way wherever an invocation is answered: the cloud's endpoint calls and test-invokes, and a courier's folder requests. */
import { randomBytes } from 'node:crypto';

export const ACTIVATION_ID_PATTERN = /^act_[A-Za-z0-9_-]{22}$/;

const ID_BYTES = 16;
/** Random bytes for the next ids: one call to randomBytes costs about what a few hundred ids taken from its answer do. */
let pool = Buffer.alloc(0);
let taken = 0;

/** 16 random bytes: ids cannot be guessed, and one tells nothing about another. */
export function newActivationId(): string {
  if (taken + ID_BYTES > pool.length) {
    pool = randomBytes(ID_BYTES * 256);
    taken = 0;
  }
  taken += ID_BYTES;
  return `act_${pool.toString('base64url', taken - ID_BYTES, taken)}`;
}
