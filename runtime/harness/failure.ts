/** @module The failed CallResult both of the harness's threads answer with: its message may quote whatever a function threw, so it is capped here. */
import type { ThrownFields } from '../function-error.ts';
import type { CallResult } from '../protocol.ts';
import { capText, MAX_ERROR_MESSAGE_CHARS } from '../text-caps.ts';

export function failure(code: string, message: string, fields: ThrownFields = {}): CallResult {
  return { ok: false, error: { code, message: capText(message, MAX_ERROR_MESSAGE_CHARS), ...fields } } as CallResult;
}
