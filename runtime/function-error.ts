/**
 * @module What a function's thrown error may tell its callers beside the message: its own `code` and an HTTP
 * status (`statusCode`, or `status`). Read in the harness's worker from whatever was thrown, and checked again on
 * the host, where the socket is untrusted; both keep only plain, bounded values.
 */

import type { ErrorBody } from '../base/errors.ts';

/** The fields a FUNCTION_THREW error carries when the thrown error had them: a code of plain characters, cut to MAX_FUNCTION_CODE_CHARS, and a status. */
export type ThrownFields = Pick<ErrorBody, 'functionCode' | 'statusCode'>;

/** Characters of a function's own code; a longer one is cut. */
export const MAX_FUNCTION_CODE_CHARS = 64;

/** Letters, digits and `_ . : -`: a code goes into JSON, file contents and logs, and is matched by programs. */
export const functionCodePattern = /^[A-Za-z0-9_.:-]+$/;

/** An HTTP status a function may answer with by throwing: a client or server error. */
export function isErrorStatus(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 400 && (value as number) <= 599;
}

/** A property of a thrown value, or undefined; a getter that throws, or a revoked proxy, must not break the answer. */
function property(value: unknown, key: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * The code and status `thrown` carries, each only when usable: a code of other characters, or a status outside
 * 400–599 (a thrown error is no success), is left out, and the error stays a plain FUNCTION_THREW in that respect.
 * @example thrownFields(Object.assign(new Error('no item 7'), { code: 'NOT_FOUND_ITEM', statusCode: 404 })) // { functionCode: 'NOT_FOUND_ITEM', statusCode: 404 }
 */
export function thrownFields(thrown: unknown): ThrownFields {
  const code = property(thrown, 'code');
  const statusCode = property(thrown, 'statusCode');
  const status = typeof statusCode === 'number' ? statusCode : property(thrown, 'status');
  return {
    ...(typeof code === 'string' && functionCodePattern.test(code) ? { functionCode: code.slice(0, MAX_FUNCTION_CODE_CHARS) } : {}),
    ...(isErrorStatus(status) ? { statusCode: status } : {}),
  };
}
