/**
 * @module Payloads (a call's input, a result) as they pass between the harness's threads: UTF-8 JSON in
 * memory of their own, handed over with the message rather than copied, and read as text only in a worker.
 */

import type { FromWorker, ToWorker } from './worker-protocol.ts';

const NEWLINE = 0x0a;
const encoder = new TextEncoder();

/** `json` in memory of its own: a pooled Buffer shares its memory with others and cannot be handed over. */
export function payloadBytes(json: string): Uint8Array {
  return encoder.encode(json);
}

export function payloadText(payload: Uint8Array): string {
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
}

/**
 * Whether `value` can go onto the socket as one payload. Function code shares its worker's thread and can
 * post anything: shared memory could change after this look, and a newline byte would start a forged line
 * (JSON never holds a raw one, and no byte of a multi-byte UTF-8 character is one).
 */
export function isPayload(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.buffer instanceof ArrayBuffer && Buffer.from(value.buffer, value.byteOffset, value.byteLength).indexOf(NEWLINE) === -1;
}

/** The memory a batch's payloads live in, handed over with it: the sender keeps none of it. */
export function transferList(batch: ReadonlyArray<ToWorker | FromWorker>): ArrayBuffer[] {
  return batch.flatMap((message) => ('payload' in message ? [message.payload.buffer as ArrayBuffer] : []));
}
