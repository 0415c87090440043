/**
 * @module The harness: the process inside a container (or a child process) that connects to the host
 * over a Unix socket and runs function bodies in worker threads. A worker serves one call tree at a
 * time (its nested calls run beside their callers in the same thread), so a chain of calls costs no
 * thread per level, and a runaway tree is ended without disturbing the others.
 */
import { connect } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import type { CallResult, HostMessage, InvokeMessage, LogEntry } from '../protocol.ts';
import { LineReader } from '../line-reader.ts';
import { guardMemory } from './memory-guard.ts';
import { WorkerSet, type TreeWorker } from './worker-set.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

const [socketPath, mode = 'process', spareArg = '128'] = process.argv.slice(2);
if (!socketPath) {
  process.stderr.write('usage: harness <socket> [container|process] [default memory MB]\n');
  process.exit(2);
}

/**
 * How long a call may wait for its body to start (a worker thread, the module's import) before it is
 * answered START_TIMEOUT; none of it counts against the function's `timeoutMs`.
 */
const START_BOUND_MS = 30_000;
/**
 * A worker whose thread is blocked (a synchronous loop) cannot answer its own TIMEOUT, so the main thread
 * ends it this long after the function's time ran out.
 */
const BLOCKED_GRACE_MS = 1000;
const MAX_LINE_BYTES = 16 * 1024 * 1024;

interface Running {
  id: string;
  fn: string;
  memoryMb: number;
  timeoutMs: number;
  worker: TreeWorker;
  timer: NodeJS.Timeout;
  started: boolean;
}

const running = new Map<string, Running>();
const workers = new WorkerSet({ defaultMemoryMb: Number(spareArg) || 128, onMessage, onLost });

const socket = connect(socketPath);
socket.setNoDelay?.(true);

function send(line: string): void {
  socket.write(line + '\n');
}

function sendResult(id: string, resultJson: string, logs: LogEntry[], tainted = false): void {
  send(`{"t":"result","id":${JSON.stringify(id)},"result":${resultJson},"logs":${JSON.stringify(logs)}${tainted ? ',"tainted":true' : ''}}`);
}

function failureJson(code: string, message: string): string {
  const result: CallResult = { ok: false, error: { code, message } } as CallResult;
  return JSON.stringify(result);
}

/**
 * Processes a function left behind (a spawn bomb, a forgotten child) make the sandbox unfit for the
 * next call. In a container every process but init and the harness is such a leftover; as a plain
 * child process only our own children are.
 */
function hasStrayProcesses(): boolean {
  try {
    return readdirSync('/proc').some((entry) => {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === 1 || pid === process.pid) return false;
      if (mode === 'container') return true;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
    });
  } catch {
    return false;
  }
}

let strayCheck: NodeJS.Immediate | undefined;
let taintReported = false;

function scheduleStrayCheck(): void {
  strayCheck ??= setImmediate(() => {
    strayCheck = undefined;
    if (!taintReported && hasStrayProcesses()) {
      taintReported = true;
      send('{"t":"tainted"}');
    }
  });
}

/** Answers one call and lets its worker go back to the idle set once its tree has no call left in it. */
function finish(id: string, resultJson: string, logs: LogEntry[], healthy: boolean): void {
  const run = running.get(id);
  if (!run) return;
  running.delete(id);
  clearTimeout(run.timer);
  // JSON.stringify never writes a raw newline; one here was forged to smuggle a line onto the socket.
  if (resultJson.includes('\n')) {
    resultJson = failureJson('INVALID_OUTPUT', `${run.fn} sent a malformed result`);
    healthy = false;
  }
  workers.release(run.worker);
  if (healthy) {
    sendResult(id, resultJson, logs);
    // In a container a call that returned normally can still have left processes running; looking
    // for them after the answer keeps the look off the call's latency.
    if (mode === 'container') scheduleStrayCheck();
    return;
  }
  sendResult(id, resultJson, logs, hasStrayProcesses());
}

/** Ends a worker and answers every call of its tree still in it with the same failure. */
function endWorker(worker: TreeWorker, culprit: string | undefined, describe: (run: Running) => [string, string]): void {
  workers.discard(worker);
  const victims = [...running.values()].filter((run) => run.worker === worker);
  // The culprit is answered first, so its own message reaches the host before its callers' echoes of it.
  victims.sort((a, b) => Number(b.id === culprit) - Number(a.id === culprit));
  for (const run of victims) finish(run.id, failureJson(...describe(run)), [], false);
}

function onMessage(worker: TreeWorker, event: FromWorker): void {
  if (event.t === 'call') {
    let line: string;
    try {
      line = JSON.stringify({ t: 'call', id: event.id, callId: event.callId, fn: event.fn, input: event.input });
    } catch (error) {
      const result: CallResult = { ok: false, error: { code: 'INVALID_INPUT', message: `ctx.call('${event.fn}') input is not JSON-serialisable: ${(error as Error).message}` } };
      worker.thread.postMessage({ t: 'call-result', callId: event.callId, result } satisfies ToWorker);
      return;
    }
    send(line);
  } else if (event.t === 'started') {
    const run = running.get(event.id);
    // A body that starts after its call was answered START_TIMEOUT runs for no one: end it.
    if (!run || run.worker !== worker) return endWorker(worker, undefined, (r) => ['START_TIMEOUT', `${r.fn} could not be started in time`]);
    run.started = true;
    clearTimeout(run.timer);
    run.timer = setTimeout(() => setImmediate(() => blocked(run)), run.timeoutMs + BLOCKED_GRACE_MS);
  } else {
    if (event.abandoned) workers.retire(worker);
    finish(event.id, event.json, event.logs, true);
  }
}

/** The worker did not answer its own timer: its thread is blocked, so the whole tree in it ends. */
function blocked(run: Running): void {
  if (running.get(run.id) !== run) return;
  endWorker(run.worker, run.id, (r) =>
    r === run
      ? ['TIMEOUT', `${r.fn} did not finish within ${r.timeoutMs} ms and was stopped`]
      : ['TIMEOUT', `${r.fn} was stopped because ${run.fn}, in the same call tree, ran past its ${run.timeoutMs} ms limit`],
  );
}

function onLost(worker: TreeWorker, error: (Error & { code?: string }) | number): void {
  endWorker(worker, undefined, (run) => {
    if (typeof error !== 'number' && error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return ['OUT_OF_MEMORY', `${run.fn} used more than its ${run.memoryMb} MB memory limit and was stopped`];
    }
    if (typeof error === 'number') return ['FUNCTION_THREW', `${run.fn} ended its thread (exit code ${error}) before returning`];
    return ['FUNCTION_THREW', `${run.fn} crashed outside its returned promise: ${error.stack ?? error.message}`];
  });
}

if (mode === 'container') {
  guardMemory(
    () => running.size > 0,
    (limitMb) => {
      const busy = new Set([...running.values()].map((run) => run.worker));
      for (const worker of busy) {
        endWorker(worker, undefined, (run) => ['OUT_OF_MEMORY', `the container's memory (${limitMb} MB) ran out while ${run.fn} ran; every call running in it was stopped`]);
      }
    },
  );
}

function invoke(message: InvokeMessage): void {
  const parent = message.parent === undefined ? undefined : running.get(message.parent);
  const worker = workers.take(parent?.worker.tree ?? message.id, message.memoryMb);
  if (!worker) {
    sendResult(message.id, failureJson('BUSY', `this sandbox already runs ${workers.max} call trees`), []);
    return;
  }
  const run: Running = { id: message.id, fn: message.fn, memoryMb: message.memoryMb, timeoutMs: message.timeoutMs, worker, started: false, timer: undefined! };
  run.timer = setTimeout(() => {
    if (run.started) return;
    worker.thread.postMessage({ t: 'cancel', id: run.id } satisfies ToWorker);
    finish(run.id, failureJson('START_TIMEOUT', `${run.fn} could not be started within ${START_BOUND_MS} ms (starting a worker and importing the module); its own time had not begun`), [], true);
  }, START_BOUND_MS);
  running.set(message.id, run);
  worker.thread.postMessage({ t: 'invoke', id: message.id, fn: message.fn, file: message.file, input: message.input, timeoutMs: message.timeoutMs } satisfies ToWorker);
}

function handle(line: string): void {
  let message: HostMessage;
  try {
    message = JSON.parse(line) as HostMessage;
  } catch {
    return;
  }
  if (message.t === 'invoke') invoke(message);
  else if (message.t === 'ping') send('{"t":"pong"}');
  else if (message.t === 'call-result') {
    running.get(message.id)?.worker.thread.postMessage({ t: 'call-result', callId: message.callId, result: message.result } satisfies ToWorker);
  }
}

const reader = new LineReader(MAX_LINE_BYTES, handle, () => socket.destroy());
socket.setEncoding('utf8');
socket.on('connect', () => {
  send('{"t":"ready"}');
  workers.prepare();
});
socket.on('data', (chunk: string) => reader.push(chunk));
socket.on('close', () => process.exit(0));
socket.on('error', () => process.exit(1));
process.on('SIGTERM', () => process.exit(0));
