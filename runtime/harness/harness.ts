/**
 * @module The harness: the process inside a container (or a child process) that connects to the host
 * over a Unix socket and runs function bodies in worker threads. A call tree runs on one thread, its
 * nested calls beside their callers, so a chain of calls costs no thread per level; a runaway is ended
 * with its thread, and only the trees on that thread are touched.
 */
import { connect } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { frameHead } from '../framing.ts';
import type { CallResultMessage, EnvMessage, InvokeMessage, LogEntry, PingMessage } from '../protocol.ts';
import { LineReader } from '../line-reader.ts';
import { failure } from './failure.ts';
import { guardMemory } from './memory-guard.ts';
import { isPayload, linePayload, payloadByteBound, type Payload } from './payload.ts';
import { sendToWorker, WorkerSet, type TreeWorker } from './worker-set.ts';
import type { FromWorker } from './worker-protocol.ts';
import { capText, MAX_LOG_LINE_CHARS, MAX_LOG_LINES, MAX_OUTPUT_BYTES } from '../text-caps.ts';

const [socketPath, mode = 'process', spareArg = '128', readyArg] = process.argv.slice(2);
if (!socketPath) {
  process.stderr.write('usage: harness <socket> [container|process] [default memory MB] [idle threads kept ready]\n');
  process.exit(2);
}

/**
 * How long a call may wait for its body to start (a worker thread, the module's import) before it is
 * answered START_TIMEOUT; none of it counts against the function's `timeoutMs`.
 */
const START_BOUND_MS = 30_000;
/**
 * A thread blocked by a synchronous loop cannot answer its own TIMEOUT, so the main thread ends it this
 * long after the function's time ran out.
 */
const BLOCKED_GRACE_MS = 1000;
/** How often running calls are checked against their bounds. */
const SWEEP_MS = 100;
const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** The most JSON one `ctx.call` input may carry, so that its line never reaches the host's limit. */
const MAX_CALL_INPUT_BYTES = 8 * 1024 * 1024;
const TAB = 0x09;

interface Running {
  id: string;
  fn: string;
  memoryMb: number;
  timeoutMs: number;
  tree: string;
  worker: TreeWorker;
  slot: number;
  sentAt: number;
}

const running = new Map<string, Running>();
const spare = Number(readyArg);
const workers = new WorkerSet({ defaultMemoryMb: Number(spareArg) || 128, onMessage, onLost, ...(Number.isInteger(spare) && spare >= 0 && { spare }) });

const socket = connect(socketPath);
socket.setNoDelay?.(true);

/** Writes one line: the header, and the payload as it came. */
function send(header: object, payload?: Payload): void {
  // Lines sent in one tick go out in one write: a burst of answers costs one system call, not one each.
  if (socket.writableCorked === 0) {
    socket.cork();
    process.nextTick(() => socket.uncork());
  }
  if (payload === undefined) socket.write(`${JSON.stringify(header)}\n`);
  else if (typeof payload === 'string') socket.write(`${frameHead(header)}${payload}\n`);
  else {
    socket.write(frameHead(header));
    socket.write(payload);
    socket.write('\n');
  }
}

function sendResult(id: string, result: Payload, logs: LogEntry[], tainted = false, memoryBytes?: number): void {
  send({ t: 'result', id, logs, ...(tainted ? { tainted } : {}), ...(memoryBytes !== undefined && { memoryBytes }) }, result);
}

/** Messages made here can quote a function too: what it threw outside its promise. */
function failureJson(code: string, message: string): string {
  return JSON.stringify(failure(code, message));
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

/** Asks the host to retire this sandbox once the calls in it finish; it takes no new ones meanwhile. */
function reportTainted(): void {
  if (taintReported) return;
  taintReported = true;
  send({ t: 'tainted' });
}

function scheduleStrayCheck(): void {
  strayCheck ??= setImmediate(() => {
    strayCheck = undefined;
    if (hasStrayProcesses()) reportTainted();
  });
}

/** Answers one call and gives its place on the thread back. */
function finish(id: string, result: Payload, logs: LogEntry[], healthy: boolean, slotDone = true, memoryBytes?: number): void {
  const run = running.get(id);
  if (!run) return;
  running.delete(id);
  workers.release(run.worker, run.tree, run.slot, slotDone);
  if (healthy) {
    sendResult(id, result, logs, false, memoryBytes);
    // In a container a call that returned normally can still have left processes running; looking
    // for them after the answer keeps the look off the call's latency.
    if (mode === 'container') scheduleStrayCheck();
    return;
  }
  sendResult(id, result, logs, hasStrayProcesses());
}

/**
 * Ends a thread and answers every call still on it. Calls of the culprit's own tree share its fate;
 * calls of other trees placed on the same thread were only its neighbours, and learn that the platform
 * stopped them (SANDBOX_FAILED, which a courier tries again).
 */
function endWorker(worker: TreeWorker, culprit: Running | undefined, describe: (run: Running) => [string, string]): void {
  workers.discard(worker);
  const victims = [...running.values()].filter((run) => run.worker === worker);
  // The culprit is answered first, so its own message reaches the host before its callers' echoes of it.
  victims.sort((a, b) => Number(b === culprit) - Number(a === culprit));
  for (const run of victims) {
    const neighbour = culprit !== undefined && run.tree !== culprit.tree;
    const [code, message] = neighbour
      ? ['SANDBOX_FAILED', `${run.fn} was stopped with the thread it shared with another request's call, which ran past its limit`]
      : describe(run);
    finish(run.id, failureJson(code, message), [], false);
  }
}

const LOG_LEVELS = new Set(['debug', 'info', 'log', 'warn', 'error']);

/** Log entries as the host accepts them; anything else a function forged is dropped here. */
function validLogs(logs: unknown): LogEntry[] {
  if (!Array.isArray(logs)) return [];
  return logs
    .slice(0, MAX_LOG_LINES + 1)
    .filter((entry): entry is LogEntry => typeof entry === 'object' && entry !== null && LOG_LEVELS.has(entry.level) && typeof entry.message === 'string')
    .map((entry) => ({ level: entry.level, message: capText(entry.message, MAX_LOG_LINE_CHARS) }));
}

/**
 * Function code shares its worker's thread and can post anything through parentPort, so a message counts
 * only for a call running on that very worker, and a payload it passes on must be bytes this thread alone
 * holds, with no newline (see isPayload); the host parses each payload on its own.
 */
function onMessage(worker: TreeWorker, event: FromWorker): void {
  if (typeof event !== 'object' || event === null) return;
  if (typeof event.id !== 'string' || running.get(event.id)?.worker !== worker) {
    // The worker answers each call once: a result for no call of its own, or a second one (code answered
    // early through the port to keep running unseen), means code on the thread forges; it serves no more trees.
    if (event.t === 'result') workers.retire(worker);
    return;
  }
  if (event.t === 'call') {
    if (typeof event.fn !== 'string' || !Number.isInteger(event.callId)) return;
    const name = event.fn.slice(0, 100);
    const refusal = !isPayload(event.payload)
      ? `ctx.call('${name}') sent a malformed input`
      : payloadByteBound(event.payload) > MAX_CALL_INPUT_BYTES
        ? `ctx.call('${name}') input is larger than ${MAX_CALL_INPUT_BYTES} bytes of JSON`
        : undefined;
    if (refusal) sendToWorker(worker, { t: 'call-result', callId: event.callId, payload: failureJson('INVALID_INPUT', refusal) });
    else send({ t: 'call', id: event.id, callId: event.callId, fn: event.fn }, event.payload);
  } else if (event.t === 'result') {
    const fn = running.get(event.id)!.fn;
    if (!isPayload(event.payload)) {
      finish(event.id, failureJson('INVALID_OUTPUT', `${fn} sent a malformed result`), [], false);
      return;
    }
    // The worker holds honest results to this already; a message posted by function code may not be one.
    if (payloadByteBound(event.payload) > MAX_OUTPUT_BYTES) {
      finish(event.id, failureJson('INVALID_OUTPUT', `${fn} returned more than ${MAX_OUTPUT_BYTES} bytes of JSON`), [], true);
      return;
    }
    if (event.retire) workers.retire(worker);
    // Function code can post its own results: only a plausible number goes on (the host checks it again).
    const memoryBytes = Number.isSafeInteger(event.memoryBytes) && event.memoryBytes! >= 0 ? event.memoryBytes : undefined;
    finish(event.id, event.payload, validLogs(event.logs), true, true, memoryBytes);
  }
}

/**
 * A thread that died on its own (out of memory, an error outside any promise) cannot say which call
 * caused it: with one request's calls on it they share the blame; with several, none is blamed and all
 * learn that the platform stopped them (SANDBOX_FAILED, which a courier tries again).
 */
function onLost(worker: TreeWorker, error: (Error & { code?: string }) | number): void {
  const shared = worker.trees.size > 1;
  endWorker(worker, undefined, (run) => {
    if (shared) return ['SANDBOX_FAILED', `${run.fn} was stopped with the thread it shared with other requests' calls, which ended unexpectedly`];
    if (typeof error !== 'number' && error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return ['OUT_OF_MEMORY', `${run.fn} used more than its ${run.memoryMb} MB memory limit and was stopped`];
    }
    if (typeof error === 'number') return ['FUNCTION_THREW', `${run.fn} ended its thread (exit code ${error}) before returning`];
    return ['FUNCTION_THREW', `${run.fn} crashed outside its returned promise: ${error.stack ?? error.message}`];
  });
}

/**
 * Holds every running call to its bounds: a body not started within START_BOUND_MS is answered
 * START_TIMEOUT (and told not to start); a body past its own limit whose thread did not answer TIMEOUT
 * itself is on a blocked thread, which is ended.
 */
function sweep(): void {
  const now = Date.now();
  for (const run of [...running.values()]) {
    if (running.get(run.id) !== run) continue;
    // Function code can reach the shared slots: a start is believed only between sending and now, and
    // no call outlives its start bound plus its own limit, whatever its slot says.
    const written = Number(Atomics.load(run.worker.starts, run.slot));
    const started = written === 0 ? 0 : Math.min(Math.max(written, run.sentAt), now);
    const overdue = now - run.sentAt > START_BOUND_MS + run.timeoutMs + BLOCKED_GRACE_MS;
    if (started === 0 && !overdue && now - run.sentAt > START_BOUND_MS) {
      sendToWorker(run.worker, { t: 'cancel', id: run.id });
      // The thread may be stuck in the module's import: it takes no new tree, and ends with its last one.
      workers.retire(run.worker);
      // Its slot stays taken: the thread may still write a start into it before it reads the cancel.
      finish(
        run.id,
        failureJson(
          'START_TIMEOUT',
          `${run.fn} could not be started within ${START_BOUND_MS} ms (starting a worker and importing the module); its own time had not begun`,
        ),
        [],
        true,
        false,
      );
    } else if (overdue || (started !== 0 && now - started > run.timeoutMs + BLOCKED_GRACE_MS)) {
      endWorker(run.worker, run, (r) =>
        r === run
          ? ['TIMEOUT', `${r.fn} did not finish within ${r.timeoutMs} ms and was stopped`]
          : ['TIMEOUT', `${r.fn} was stopped because ${run.fn}, in the same call tree, ran past its ${run.timeoutMs} ms limit`],
      );
    }
  }
}
setInterval(() => {
  if (running.size > 0) sweep();
}, SWEEP_MS).unref();

if (mode === 'container') {
  guardMemory(
    () => running.size > 0,
    (limitMb) => {
      for (const worker of new Set([...running.values()].map((run) => run.worker))) {
        endWorker(worker, undefined, (run) => [
          'OUT_OF_MEMORY',
          `the container's memory (${limitMb} MB) ran out while ${run.fn} ran; every call running in it was stopped`,
        ]);
      }
      // Memory the ended threads held is not all given back to the system at once: a call placed here
      // next would find the container as full as this one did.
      reportTainted();
    },
  );
}

function invoke(message: Omit<InvokeMessage, 'input'>, input: Payload): void {
  const tree = (message.parent === undefined ? undefined : running.get(message.parent)?.tree) ?? message.id;
  const place = workers.take(tree, message.memoryMb);
  if (!place) {
    sendResult(message.id, failureJson('BUSY', `this sandbox already runs ${workers.max} call trees`), []);
    return;
  }
  const { worker, slot } = place;
  running.set(message.id, { id: message.id, fn: message.fn, memoryMb: message.memoryMb, timeoutMs: message.timeoutMs, tree, worker, slot, sentAt: Date.now() });
  sendToWorker(worker, { t: 'invoke', id: message.id, slot, fn: message.fn, file: message.file, payload: input, timeoutMs: message.timeoutMs });
}

/** A line from the host, which is trusted. Only its header is parsed here: the payload goes on to the worker. */
function handle(line: Buffer): void {
  const tab = line.indexOf(TAB);
  let message: Omit<InvokeMessage, 'input'> | Omit<CallResultMessage, 'result'> | PingMessage | EnvMessage;
  try {
    message = JSON.parse(line.toString('utf8', 0, tab === -1 ? line.length : tab));
  } catch {
    return;
  }
  const payload = tab === -1 ? 'null' : linePayload(line, tab + 1);
  if (message.t === 'ping') send({ t: 'pong' });
  else if (message.t === 'env') workers.setEnv(message.env);
  else if (message.t === 'invoke') invoke(message, payload);
  else {
    const run = running.get(message.id);
    if (run) sendToWorker(run.worker, { t: 'call-result', callId: message.callId, payload });
  }
}

const reader = new LineReader(MAX_LINE_BYTES, handle, () => socket.destroy());
socket.on('connect', () => {
  send({ t: 'ready' });
  workers.prepare();
});
socket.on('data', (chunk: Buffer) => reader.push(chunk));
socket.on('close', () => process.exit(0));
socket.on('error', () => process.exit(1));
process.on('SIGTERM', () => process.exit(0));
