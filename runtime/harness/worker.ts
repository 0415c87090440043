/**
 * @module Runs inside a worker thread of the harness: imports function modules once each and runs the calls
 * of one call tree at a time, nested calls side by side with the callers that await them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { relative } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import type { CallResult, LogEntry } from '../protocol.ts';
import { capText, MAX_LOG_LINE_CHARS, MAX_LOG_LINES, MAX_OUTPUT_BYTES, overBytes } from '../text-caps.ts';
import { allowTypeScript, ENTRY_LOOKUP, entryOf, functionContext, type FunctionBody, type FunctionContext } from './entry.ts';
import { thrownFields, type ThrownFields } from '../function-error.ts';
import { failure } from './failure.ts';
import { watchLeftovers } from './leftovers.ts';
import { payloadText, toPayload, transferList } from './payload.ts';
import { guardProcessKill } from './process-guard.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol.ts';

const port = parentPort!;
const starts = new BigInt64Array((workerData as WorkerSetup).starts);
// Both before any function module is imported, so that every module sees them.
const leftovers = watchLeftovers();
guardProcessKill();

/**
 * Thrown by `ctx.call` when the called function failed; carries the callee's error code and, when the callee
 * threw an error with its own `code` or `statusCode`, those as `functionCode` and `statusCode`.
 */
class CallError extends Error {
  readonly code: string;
  readonly functionCode?: string;
  readonly statusCode?: number;
  constructor(error: { code: string; message: string } & ThrownFields) {
    super(error.message);
    this.name = 'CallError';
    this.code = error.code;
    if (error.functionCode !== undefined) this.functionCode = error.functionCode;
    if (error.statusCode !== undefined) this.statusCode = error.statusCode;
  }
}

/** One running call: console output made while it runs (in its async context) is its own. */
interface Invocation {
  fn: string;
  logs: LogEntry[];
}

const current = new AsyncLocalStorage<Invocation>();
const modules = new Map<string, Promise<FunctionBody | CallResult>>();
const cancelled = new Set<string>();
let nextCallId = 1;
/** Bodies started and not yet answered; at 0 the thread is idle and what is still running there was left behind. */
let bodiesRunning = 0;
const pendingCalls = new Map<number, (result: CallResult) => void>();

function capture(level: LogEntry['level']) {
  return (...args: unknown[]) => {
    const logs = current.getStore()?.logs;
    if (!logs) return;
    if (logs.length < MAX_LOG_LINES) {
      logs.push({ level, message: capText(format(...args), MAX_LOG_LINE_CHARS) });
    } else if (logs.length === MAX_LOG_LINES) {
      logs.push({ level: 'warn', message: `[edgecourier] more than ${MAX_LOG_LINES} log lines; the rest were dropped` });
    }
  };
}
for (const level of ['debug', 'info', 'log', 'warn', 'error'] as const) console[level] = capture(level);
console.trace = capture('debug');

/** Messages posted by the calls of one task go to the main thread as one batch: one hand-off, not one each. */
let outbox: FromWorker[] = [];

function post(message: FromWorker): void {
  if (outbox.push(message) === 1) queueMicrotask(flush);
}

function flush(): void {
  const batch = outbox;
  outbox = [];
  port.postMessage(batch, transferList(batch));
}

function serialise(fn: string, output: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify({ ok: true, output: output === undefined ? null : output });
  } catch (error) {
    return JSON.stringify(failure('INVALID_OUTPUT', `${fn} returned a value that is not JSON-serialisable: ${(error as Error).message}`));
  }
  if (overBytes(json, MAX_OUTPUT_BYTES)) {
    return JSON.stringify(failure('INVALID_OUTPUT', `${fn} returned more than ${MAX_OUTPUT_BYTES} bytes of JSON`));
  }
  return json;
}

const harnessDir = new URL('.', import.meta.url).href;

/** The harness's own frames say nothing to the function's author; frames of the app's files, whatever their names, stay. */
function withoutHarnessFrames(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => !line.includes(harnessDir))
    .join('\n');
}

/**
 * Codes that blame the caller of the call that failed: passed on from a ctx.call the function made, they
 * would tell the function's own caller that its request was at fault, so they become the function's failure.
 */
const CALLER_FAULTS = new Set(['INVALID_INPUT', 'FUNCTION_NOT_FOUND']);

function describeThrow(fn: string, error: unknown): CallResult {
  if (error instanceof CallError) {
    if (CALLER_FAULTS.has(error.code)) return failure('FUNCTION_THREW', `${fn} threw: a ctx.call it made failed with ${error.code}: ${error.message}`);
    // Let through, the callee's code and status go on with its error (checked again: the function may have changed them).
    return failure(error.code, error.message, thrownFields({ code: error.functionCode, statusCode: error.statusCode }));
  }
  const message = error instanceof Error ? withoutHarnessFrames(error.stack ?? error.message) : format(error);
  return failure('FUNCTION_THREW', `${fn} threw: ${message}`, thrownFields(error));
}

/** `file` is the function's file in the sandbox; messages name it relative to the app folder, the harness's working folder. */
function load(file: string): Promise<FunctionBody | CallResult> {
  let loaded = modules.get(file);
  if (!loaded) {
    const shown = relative(process.cwd(), file);
    loaded = Promise.resolve()
      .then(() => {
        if (file.endsWith('.ts')) allowTypeScript();
        return import(pathToFileURL(file).href) as Promise<Record<string, unknown>>;
      })
      .then((module) => {
        // A timer a module sets up as it is imported belongs to the module, not to a call.
        if (bodiesRunning === 0) leftovers.rebase();
        return entryOf(module) ?? failure('FUNCTION_LOAD_FAILED', `${shown} exports no function: looked for ${ENTRY_LOOKUP}`);
      })
      .catch((error: unknown) => failure('FUNCTION_LOAD_FAILED', `${shown} could not be loaded: ${(error as Error)?.message ?? format(error)}`));
    modules.set(file, loaded);
  }
  return loaded;
}

function contextFor(fn: string, id: string, deadline: number): FunctionContext {
  return functionContext(deadline, {
    fn,
    invocationId: id,
    call(name: string, callInput?: unknown) {
      let inputJson: string;
      try {
        inputJson = JSON.stringify(callInput === undefined ? null : callInput);
      } catch (error) {
        return Promise.reject(
          new CallError({ code: 'INVALID_INPUT', message: `ctx.call('${String(name)}') input is not JSON-serialisable: ${(error as Error).message}` }),
        );
      }
      const callId = nextCallId++;
      return new Promise((resolve, reject) => {
        pendingCalls.set(callId, (result) => (result.ok ? resolve(result.output) : reject(new CallError(result.error))));
        post({ t: 'call', id, callId, fn: String(name), payload: toPayload(inputJson) });
      });
    },
  });
}

/**
 * This thread's memory as a call ends: its V8 heap as sized to hold what the thread's calls allocated (the heap grows
 * to a call's peak and gives memory back only after collections shrink it, so it still shows the peak at the end)
 * plus memory outside the heap that its objects hold (Buffers, ArrayBuffers). One call for a few numbers, no sampling.
 */
function memoryInUse(): number {
  const heap = getHeapStatistics();
  return heap.total_heap_size + heap.external_memory;
}

/** Runs the body and answers; past `timeoutMs` of its own time it is answered TIMEOUT even if still awaiting. */
function runBody(body: FunctionBody, message: Extract<ToWorker, { t: 'invoke' }>, invocation: Invocation): void {
  let answered = false;
  const answer = (json: string, abandoned?: boolean) => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    const left = --bodiesRunning === 0 ? leftovers.describe() : undefined;
    if (left) invocation.logs.push({ level: 'warn', message: `[edgecourier] calls returned leaving ${left} running; they were stopped with their thread` });
    post({
      t: 'result',
      id: message.id,
      payload: toPayload(json),
      logs: invocation.logs,
      memoryBytes: memoryInUse(),
      ...(abandoned || left ? { retire: true } : {}),
    });
  };
  bodiesRunning++;
  const timer = setTimeout(() => {
    answer(JSON.stringify(failure('TIMEOUT', `${message.fn} did not finish within ${message.timeoutMs} ms and was stopped`)), true);
  }, message.timeoutMs);
  const startedAt = Date.now();
  Atomics.store(starts, message.slot, BigInt(startedAt));
  // The body's every outcome, a throw included, is answered inside; nothing is left for the caller to await.
  void current.run(invocation, async () => {
    try {
      answer(serialise(message.fn, await body(JSON.parse(payloadText(message.payload)), contextFor(message.fn, message.id, startedAt + message.timeoutMs))));
    } catch (error) {
      answer(JSON.stringify(describeThrow(message.fn, error)));
    }
  });
}

async function invoke(message: Extract<ToWorker, { t: 'invoke' }>): Promise<void> {
  const invocation: Invocation = { fn: message.fn, logs: [] };
  const loaded = await load(message.file);
  if (cancelled.delete(message.id)) return;
  if (typeof loaded !== 'function') {
    post({ t: 'result', id: message.id, payload: toPayload(JSON.stringify(loaded)), logs: [] });
    return;
  }
  runBody(loaded, message, invocation);
}

port.on('message', (batch: ToWorker[]) => {
  for (const message of batch) {
    if (message.t === 'invoke') {
      void invoke(message);
    } else if (message.t === 'cancel') {
      cancelled.add(message.id);
    } else {
      pendingCalls.get(message.callId)?.(JSON.parse(payloadText(message.payload)) as CallResult);
      pendingCalls.delete(message.callId);
    }
  }
});
