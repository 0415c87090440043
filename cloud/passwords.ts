/** @module Passwords: the length bcrypt can hold, how hard one is to guess (zxcvbn), and hashing. */
import type { zxcvbn, ZxcvbnResult } from '@zxcvbn-ts/core';
import bcrypt from 'bcryptjs';
import { z } from 'zod';
import { EdgeError } from '../base/errors.ts';

const BCRYPT_COST = 10;

/**
 * zxcvbn's score runs from 0 to 4; 3 is "safely unguessable: moderate protection from offline slow-hash
 * attacks" (about 10^8 guesses and more), which bcrypt at cost 10 makes years of work for a stolen hash.
 */
export const MIN_PASSWORD_SCORE = 3;

/**
 * zxcvbn with its word lists, loaded at the first password checked: they hold about 15 MB that an idle service,
 * and most of its life, does without.
 */
let meter: Promise<typeof zxcvbn> | undefined;
function strengthMeter(): Promise<typeof zxcvbn> {
  meter ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]).then(([core, common]) => {
    // Common passwords, names and keyboard layouts of every language, without one language's word lists.
    core.zxcvbnOptions.setOptions({ dictionary: common.dictionary, graphs: common.adjacencyGraphs });
    return core.zxcvbn;
  });
  return meter;
}

/** bcrypt reads only the first 72 bytes: a longer password would be accepted but partly ignored. */
export const passwordSchema = z
  .string()
  .min(8)
  .refine((password) => Buffer.byteLength(password) <= 72, 'a password has at most 72 bytes (72 plain letters)');

/** zxcvbn's warnings are keys of its translations; these are the English ones, said of the password. */
const WARNINGS: Partial<Record<string, string>> = {
  straightRow: 'it is a row of keys on the keyboard',
  keyPattern: 'it is a short keyboard pattern',
  simpleRepeat: 'it repeats a character, as in "aaa"',
  extendedRepeat: 'it repeats a group of characters, as in "abcabc"',
  sequences: 'it follows a sequence, as in "abc" or "1234"',
  recentYears: 'it holds a recent year',
  dates: 'it holds a date',
  topTen: 'it is among the ten most used passwords',
  topHundred: 'it is among the hundred most used passwords',
  common: 'it is a commonly used password',
  similarToCommon: 'it is close to a commonly used password',
  wordByItself: 'it is a single word',
  namesByThemselves: 'it is a name',
  commonNames: 'it is a common name',
  userInputs: 'it holds your email address, or part of it',
};

function weakPassword(result: ZxcvbnResult): EdgeError {
  const why = (result.feedback.warning && WARNINGS[result.feedback.warning]) || 'it is made of patterns that are quick to guess';
  return new EdgeError(
    'WEAK_PASSWORD',
    `this password is too easy to guess: ${why} (strength ${result.score} of 4, at least ${MIN_PASSWORD_SCORE} needed). ` +
      'Pick a longer one, such as three or four unrelated words, without your email address, names, dates or keyboard patterns; a password manager can make one.',
  );
}

/**
 * Throws WEAK_PASSWORD when the password would be guessed too soon; `email` counts as known to a guesser.
 * @example await assertStrongPassword('correct horse battery', 'ada@example.com')
 */
export async function assertStrongPassword(password: string, email: string): Promise<void> {
  const measure = await strengthMeter();
  const [local = ''] = email.toLowerCase().split('@');
  const result = measure(password, [email.toLowerCase(), local, ...local.split(/[^a-z0-9]+/).filter((part) => part.length > 2)]);
  if (result.score < MIN_PASSWORD_SCORE) throw weakPassword(result);
}

export const hashPassword = (password: string): Promise<string> => bcrypt.hash(password, BCRYPT_COST);
