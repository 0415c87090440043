/** @module The call protocol: messages between the host and the harness, and the shapes of a call's outcome. */
import { z } from 'zod';
import { errorCatalogue, type ErrorBody, type ErrorCode } from '../base/errors.ts';
import { framed, unframe } from './framing.ts';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './json-depth.ts';
import { capText, MAX_ERROR_MESSAGE_CHARS, MAX_LOG_LINE_CHARS, MAX_LOG_LINES } from './text-caps.ts';
import { functionCodePattern, isErrorStatus, MAX_FUNCTION_CODE_CHARS } from './function-error.ts';

/** A line the function printed through `console`, captured per invocation. */
export interface LogEntry {
  level: 'debug' | 'info' | 'log' | 'warn' | 'error';
  message: string;
}

/** What one execution of one function body ended with. */
export type CallResult = { ok: true; output: unknown } | { ok: false; error: ErrorBody };

/** Host → harness: run one function body. `file` is the function's module path as the harness sees it. */
export interface InvokeMessage {
  t: 'invoke';
  id: string;
  fn: string;
  file: string;
  input: unknown;
  timeoutMs: number;
  memoryMb: number;
  /** For a nested call, the invocation that made it: the harness runs it in that call's worker thread. */
  parent?: string;
}

/** Host → harness: are you there? Asked when a call is overdue, so that only a silent sandbox is ended. */
export interface PingMessage {
  t: 'ping';
}

/** Host → harness: the answer to a `ctx.call` the function made. */
export interface CallResultMessage {
  t: 'call-result';
  id: string;
  callId: number;
  result: CallResult;
}

/**
 * Host → harness, once, before the first call of the app it was given: its functions' `process.env`. It goes over
 * the socket, never into the container's environment or the app's files, so no engine or file listing shows it.
 */
export interface EnvMessage {
  t: 'env';
  env: Record<string, string>;
}

export type HostMessage = InvokeMessage | CallResultMessage | PingMessage | EnvMessage;

/** One line from host to harness. */
export function encodeHostMessage(message: HostMessage): string {
  if (message.t === 'invoke') {
    const { input, ...header } = message;
    return framed(header, JSON.stringify(input ?? null));
  }
  if (message.t === 'call-result') {
    const { result, ...header } = message;
    return framed(header, JSON.stringify(result));
  }
  return JSON.stringify(message);
}

/** Harness → host: the harness is connected and takes invocations. */
export interface ReadyMessage {
  t: 'ready';
}

/** Harness → host: the function made a `ctx.call`. */
export interface CallMessage {
  t: 'call';
  id: string;
  callId: number;
  fn: string;
  input: unknown;
  /** The input sent was not one JSON value: the call is answered INVALID_INPUT. */
  malformed?: boolean;
}

/** Harness → host: an invocation finished. */
export interface ResultMessage {
  t: 'result';
  id: string;
  result: CallResult;
  logs: LogEntry[];
  /** Set when the function left processes behind: the host retires the sandbox once it is idle. */
  tainted?: boolean;
  /** The memory of the thread that ran it as it answered (docs/functions.md, "Profiles"); absent when the harness could not tell. */
  memoryBytes?: number;
}

/** Harness → host: a function left processes behind after returning normally; retire this sandbox. */
export interface TaintedMessage {
  t: 'tainted';
}

/** Harness → host: the answer to a ping; the harness's main thread is never blocked by a function. */
export interface PongMessage {
  t: 'pong';
}

export type HarnessMessage = ReadyMessage | CallMessage | ResultMessage | TaintedMessage | PongMessage;

const errorCodes = Object.keys(errorCatalogue) as [ErrorCode, ...ErrorCode[]];
/**
 * Text from the harness is capped again here: the harness caps what it makes, but a function shares its
 * process and can write onto the socket itself.
 */
const cappedText = (max: number) => z.string().transform((text) => capText(text, max));
/** A terabyte: more than any sandbox holds. */
const MAX_REPORTED_MEMORY_BYTES = 2 ** 40;
/** Longer than any function name, so that a name is never cut into another one. */
const MAX_CALLED_NAME_CHARS = 256;
/** A forged code or status the harness would not have sent is left out, not a broken protocol: the error itself stands. */
const errorBodySchema = z
  .object({
    code: z.enum(errorCodes),
    message: cappedText(MAX_ERROR_MESSAGE_CHARS),
    functionCode: z.string().max(MAX_FUNCTION_CODE_CHARS).regex(functionCodePattern).optional().catch(undefined),
    statusCode: z.custom<number>(isErrorStatus).optional().catch(undefined),
  })
  .transform(({ functionCode, statusCode, ...error }): ErrorBody => ({
    ...error,
    ...(functionCode !== undefined ? { functionCode } : {}),
    ...(statusCode !== undefined ? { statusCode } : {}),
  }));
export const callResultSchema = z.union([z.object({ ok: z.literal(true), output: z.unknown() }), z.object({ ok: z.literal(false), error: errorBodySchema })]);
const logEntrySchema = z.object({
  level: z.enum(['debug', 'info', 'log', 'warn', 'error']),
  message: cappedText(MAX_LOG_LINE_CHARS),
});

/**
 * Harness messages are validated on the host: function code shares the harness process,
 * so a hostile function could write anything onto the socket.
 */
export const harnessMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('ready') }),
  z.object({ t: z.literal('tainted') }),
  z.object({ t: z.literal('pong') }),
  z.object({ t: z.literal('call'), id: z.string(), callId: z.number().int(), fn: cappedText(MAX_CALLED_NAME_CHARS) }),
  z.object({
    t: z.literal('result'),
    id: z.string(),
    // One more line than the cap: the harness's own note that lines were dropped.
    // Cut before validating: a forged line may hold a million tiny entries, each costing the host a check.
    logs: z.preprocess((logs) => (Array.isArray(logs) ? logs.slice(0, MAX_LOG_LINES + 1) : logs), z.array(logEntrySchema)),
    tainted: z.boolean().optional(),
    // A figure a function forged beyond any machine's memory is dropped, not a broken protocol.
    memoryBytes: z.number().int().min(0).max(MAX_REPORTED_MEMORY_BYTES).optional().catch(undefined),
  }),
]);

/**
 * A line from the harness as a message, or undefined when its header is not one of ours (the host then
 * ends the sandbox: it breaks the protocol). A payload that is not exactly one JSON value of the
 * expected shape fails only its own call: a result becomes INVALID_OUTPUT, a call's input INVALID_INPUT.
 */
export function parseHarnessLine(line: string): HarnessMessage | undefined {
  const { header, payload } = unframe(line);
  let message: z.infer<typeof harnessMessageSchema>;
  try {
    const parsed = harnessMessageSchema.safeParse(JSON.parse(header));
    if (!parsed.success) return undefined;
    message = parsed.data;
  } catch {
    return undefined;
  }
  if (message.t === 'call') {
    const input = parsePayload(payload, (value) => ({ success: true as const, data: value }));
    return input.success ? { ...message, input: input.data } : { ...message, malformed: true, input: null };
  }
  if (message.t !== 'result') return payload === undefined ? message : undefined;
  const result = parsePayload(payload, (value) => callResultSchema.safeParse(value));
  if (!result.success) return { ...message, result: { ok: false, error: { code: 'INVALID_OUTPUT', message: 'the function sent a malformed result' } } };
  // A worker's stack is larger than the host's: output it could serialise may overflow the host's answer.
  if (result.data.ok && nestedDeeperThan(result.data.output)) {
    return {
      ...message,
      result: { ok: false, error: { code: 'INVALID_OUTPUT', message: `the function returned a value nested deeper than ${MAX_JSON_DEPTH} levels` } },
    };
  }
  return { ...message, result: result.data as CallResult };
}

function parsePayload<T>(
  payload: string | undefined,
  check: (value: unknown) => { success: true; data: T } | { success: false },
): { success: true; data: T } | { success: false } {
  if (payload === undefined) return { success: false };
  try {
    return check(JSON.parse(payload));
  } catch {
    return { success: false };
  }
}

/** The limits one invocation runs under. */
export interface InvocationLimits {
  timeoutMs: number;
  memoryMb: number;
}

/** Call key → output. Used both for `cache` (idempotent functions) and `precomputed` (any function). */
export type CallEntries = Record<string, unknown>;

/** Counters for one call tree. */
export interface InvocationStats {
  durationMs: number;
  executed: number;
  cacheHits: number;
  precomputedHits: number;
}

/** A log line with the function that printed it, in call-tree order. */
export interface InvocationLog extends LogEntry {
  fn: string;
}

/** The answer to one top-level invocation. */
export type InvokeResponse =
  | {
      ok: true;
      output: unknown;
      key: string;
      cache?: CallEntries;
      results?: CallEntries;
      logs: InvocationLog[];
      stats: InvocationStats;
    }
  | { ok: false; error: ErrorBody; logs: InvocationLog[]; stats: InvocationStats };
