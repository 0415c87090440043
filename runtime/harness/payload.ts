/**
 * @module Payloads (a call's input, a result) as they pass between the harness's threads. A long one is
 * UTF-8 JSON in memory of its own, handed over with its message rather than copied, and turned into text
 * only in a worker; a short one is text, since copying a short string costs less than handing over memory.
 */
/** JSON text, or its UTF-8 bytes in memory no other thread holds. */
export type Payload = string | Uint8Array;

/**
 * Payloads up to this many characters (or bytes, off the socket) travel as text. Measured between two
 * threads, text is a little cheaper at a few hundred bytes and bytes are cheaper from about 16 KB on;
 * past about 100 KB copying text costs several times as much.
 */
const MAX_TEXT = 16 * 1024;
const NEWLINE = 0x0a;
const encoder = new TextEncoder();

/** `json` ready to pass to another thread. Long text is encoded into memory of its own: a pooled Buffer shares its memory and cannot be handed over. */
export function toPayload(json: string): Payload {
  return json.length <= MAX_TEXT ? json : encoder.encode(json);
}

/**
 * The payload that starts at `start` of a line read off the socket. Long ones stay bytes: in the line's own
 * memory when the line has it to itself (a line read in several chunks is joined into new memory), else
 * copied once into new memory, since the chunk it came in is the socket's.
 */
export function linePayload(line: Buffer, start: number): Payload {
  if (line.length - start <= MAX_TEXT) return line.toString('utf8', start);
  if (line.buffer.byteLength === line.length) return new Uint8Array(line.buffer, line.byteOffset + start, line.length - start);
  return new Uint8Array(line.subarray(start));
}

export function payloadText(payload: Payload): string {
  return typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
}

/** Bytes of UTF-8 JSON a payload that passed isPayload carries at most: short text is far below every cap. */
export function payloadByteBound(payload: Payload): number {
  return typeof payload === 'string' ? payload.length * 3 : payload.byteLength;
}

/**
 * Whether `value` can go onto the socket as one payload. Function code shares its worker's thread and can
 * post anything: memory shared with it could change after this look, and a newline would start a forged
 * line (JSON never holds a raw one, and no byte of a multi-byte UTF-8 character is one).
 */
export function isPayload(value: unknown): value is Payload {
  if (typeof value === 'string') return value.length <= MAX_TEXT && !value.includes('\n');
  return (
    value instanceof Uint8Array && value.buffer instanceof ArrayBuffer && Buffer.from(value.buffer, value.byteOffset, value.byteLength).indexOf(NEWLINE) === -1
  );
}

/** The memory a batch's long payloads live in, handed over with it: the sender keeps none of it. Any message of worker-protocol.ts fits. */
export function transferList(batch: readonly object[]): ArrayBuffer[] {
  return batch.flatMap((message) => {
    const payload = 'payload' in message ? (message.payload as Payload) : undefined;
    return payload === undefined || typeof payload === 'string' ? [] : [payload.buffer as ArrayBuffer];
  });
}
