/** @module Runs inside a worker thread of the harness: loads one function module and runs it once per invocation. */
import { parentPort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import type { CallResult, LogEntry } from '../protocol.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

const MAX_OUTPUT_BYTES = 6 * 1024 * 1024;
const MAX_LOG_ENTRIES = 200;
const MAX_LOG_MESSAGE = 4096;

const port = parentPort!;
/** The function this worker is bound to, set by its first invocation. */
const setup = { fn: '', file: '' };

type FunctionBody = (input: unknown, ctx: FunctionContext) => unknown;

/** What a function receives as its second argument. */
interface FunctionContext {
  fn: string;
  invocationId: string;
  call(name: string, input?: unknown): Promise<unknown>;
}

/** Thrown by `ctx.call` when the called function failed; carries the callee's error code. */
class CallError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'CallError';
    this.code = code;
  }
}

let logs: LogEntry[] = [];
let nextCallId = 1;
const pendingCalls = new Map<number, (result: CallResult) => void>();

function capture(level: LogEntry['level']) {
  return (...args: unknown[]) => {
    if (logs.length < MAX_LOG_ENTRIES) {
      logs.push({ level, message: format(...args).slice(0, MAX_LOG_MESSAGE) });
    } else if (logs.length === MAX_LOG_ENTRIES) {
      logs.push({ level: 'warn', message: `[edgecourier] more than ${MAX_LOG_ENTRIES} log lines; the rest were dropped` });
    }
  };
}
for (const level of ['debug', 'info', 'log', 'warn', 'error'] as const) console[level] = capture(level);
console.trace = capture('debug');

function post(message: FromWorker): void {
  port.postMessage(message);
}

function failure(code: string, message: string): CallResult {
  return { ok: false, error: { code, message } } as CallResult;
}

function serialise(output: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify({ ok: true, output: output === undefined ? null : output });
  } catch (error) {
    return JSON.stringify(failure('INVALID_OUTPUT', `${setup.fn} returned a value that is not JSON-serialisable: ${(error as Error).message}`));
  }
  if (Buffer.byteLength(json) > MAX_OUTPUT_BYTES) {
    return JSON.stringify(failure('INVALID_OUTPUT', `${setup.fn} returned more than ${MAX_OUTPUT_BYTES} bytes of JSON`));
  }
  return json;
}

/** The harness's own frames say nothing to the function's author. */
function withoutHarnessFrames(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => !line.includes('worker.mjs'))
    .join('\n');
}

function describeThrow(error: unknown): CallResult {
  if (error instanceof CallError) return failure(error.code, error.message);
  const message = error instanceof Error ? withoutHarnessFrames(error.stack ?? error.message) : format(error);
  return failure('FUNCTION_THREW', `${setup.fn} threw: ${message}`);
}

async function loadBody(): Promise<FunctionBody | CallResult> {
  try {
    const module = (await import(pathToFileURL(setup.file).href)) as { default?: unknown };
    if (typeof module.default !== 'function') {
      return failure('FUNCTION_LOAD_FAILED', `functions/${setup.fn} has no default export that is a function`);
    }
    return module.default as FunctionBody;
  } catch (error) {
    return failure('FUNCTION_LOAD_FAILED', `functions/${setup.fn} could not be loaded: ${(error as Error)?.message ?? format(error)}`);
  }
}

let body: Promise<FunctionBody | CallResult> | undefined;

async function invoke(id: string, input: unknown): Promise<void> {
  logs = [];
  const loaded = await body!;
  let json: string;
  if (typeof loaded !== 'function') {
    json = JSON.stringify(loaded);
  } else {
    const ctx: FunctionContext = {
      fn: setup.fn,
      invocationId: id,
      call(name, callInput) {
        const callId = nextCallId++;
        return new Promise((resolve, reject) => {
          pendingCalls.set(callId, (result) =>
            result.ok ? resolve(result.output) : reject(new CallError(result.error.code, result.error.message)),
          );
          post({ t: 'call', id, callId, fn: String(name), input: callInput === undefined ? null : callInput });
        });
      },
    };
    try {
      json = serialise(await loaded(input, Object.freeze(ctx)));
    } catch (error) {
      json = JSON.stringify(describeThrow(error));
    }
  }
  post({ t: 'result', id, json, logs });
}

port.on('message', (message: ToWorker) => {
  if (message.t === 'invoke') {
    if (!body) {
      Object.assign(setup, { fn: message.fn, file: message.file });
      body = loadBody();
    }
    void invoke(message.id, message.input);
    return;
  }
  pendingCalls.get(message.callId)?.(message.result);
  pendingCalls.delete(message.callId);
});
