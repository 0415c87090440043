/**
 * @module The harness: the process inside a container (or a child process) that connects to the host
 * over a Unix socket and runs function bodies in worker threads, one invocation per worker at a time.
 * A worker that runs too long or uses too much memory is terminated without disturbing the others.
 */
import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import { readdirSync, readFileSync } from 'node:fs';
import type { CallResult, HostMessage, InvokeMessage, LogEntry } from '../protocol.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

const [socketPath, mode = 'process', spareArg = '128'] = process.argv.slice(2);
if (!socketPath) {
  process.stderr.write('usage: harness <socket> [container|process] [spare worker memory MB]\n');
  process.exit(2);
}

/** Threads running or idle at once: each costs several MB of the container's memory. */
const MAX_WORKERS = 48;
/**
 * Idle workers kept, oldest ended first: as many as ran at once lately (at least a few), so the next
 * burst of the same size starts no threads; the peak decays with the idle sweep.
 */
const MIN_IDLE = 4;
let recentPeak = 0;
/** An idle worker unused this long is ended, giving its memory back. */
const IDLE_WORKER_TTL_MS = 60_000;
/** Memory limit of the spare worker: the default a function gets, so most first calls can take it. */
const SPARE_MEMORY_MB = Number(spareArg) || 128;
const workerUrl = new URL('./worker.mjs', import.meta.url);

interface Running {
  worker: Worker;
  fn: string;
  file: string;
  memoryMb: number;
  timer: NodeJS.Timeout;
}

/** Idle workers, least recently used first; each is bound to the function file it served. */
let idle: Array<{ worker: Worker; file: string; since: number }> = [];
const running = new Map<string, Running>();
/** Workers alive and not yet told to end. */
let workerCount = 0;
const ended = new WeakSet<Worker>();
/** Started before it is needed, so a new app's first call does not wait for a thread to boot. */
let spare: Worker | undefined;

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

function discard(worker: Worker): void {
  if (ended.has(worker)) return;
  ended.add(worker);
  workerCount--;
  idle = idle.filter((entry) => entry.worker !== worker);
  void worker.terminate();
}

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
  if (healthy) {
    idle.push({ worker: run.worker, file: run.file, since: Date.now() });
    if (idle.length > Math.max(MIN_IDLE, recentPeak)) discard(idle[0]!.worker);
    sendResult(id, resultJson, logs);
    // In a container a call that returned normally can still have left processes running; looking
    // for them after the answer keeps the look off the call's latency.
    if (mode === 'container') scheduleStrayCheck();
    return;
  }
  discard(run.worker);
  sendResult(id, resultJson, logs, hasStrayProcesses());
}

function spawnWorker(memoryMb: number): Worker {
  const worker = new Worker(workerUrl, {
    env: {},
    resourceLimits: {
      maxOldGenerationSizeMb: memoryMb,
      maxYoungGenerationSizeMb: Math.max(4, Math.min(32, Math.floor(memoryMb / 8))),
      stackSizeMb: 4,
    },
  });
  workerCount++;
  worker.on('message', (event: FromWorker) => {
    if (event.t === 'call') {
      let line: string;
      try {
        line = JSON.stringify({ t: 'call', id: event.id, callId: event.callId, fn: event.fn, input: event.input });
      } catch (error) {
        const result: CallResult = { ok: false, error: { code: 'INVALID_INPUT', message: `ctx.call('${event.fn}') input is not JSON-serialisable: ${(error as Error).message}` } };
        worker.postMessage({ t: 'call-result', callId: event.callId, result } satisfies ToWorker);
        return;
      }
      send(line);
    } else {
      finish(event.id, event.json, event.logs, true);
    }
  });
  worker.on('error', (error: Error & { code?: string }) => {
    const id = owner(worker);
    const run = id && running.get(id);
    if (!id || !run) return;
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      finish(id, failureJson('OUT_OF_MEMORY', `${run.fn} used more than its ${run.memoryMb} MB memory limit and was stopped`), [], false);
    } else {
      finish(id, failureJson('FUNCTION_THREW', `${run.fn} crashed outside its returned promise: ${error.stack ?? error.message}`), [], false);
    }
  });
  worker.on('exit', (code) => {
    if (!ended.has(worker)) {
      ended.add(worker);
      workerCount--;
    }
    if (spare === worker) spare = undefined;
    const id = owner(worker);
    const run = id && running.get(id);
    if (id && run) finish(id, failureJson('FUNCTION_THREW', `${run.fn} ended its thread (exit code ${code}) before returning`), [], false);
    idle = idle.filter((entry) => entry.worker !== worker);
  });
  return worker;
}

function takeWorker(message: InvokeMessage): Worker | undefined {
  const index = idle.findLastIndex((entry) => entry.file === message.file);
  if (index !== -1) return idle.splice(index, 1)[0]!.worker;
  if (spare && message.memoryMb === SPARE_MEMORY_MB) {
    const taken = spare;
    spare = undefined;
    setImmediate(startSpare);
    return taken;
  }
  if (workerCount >= MAX_WORKERS && idle.length > 0) discard(idle[0]!.worker);
  return workerCount < MAX_WORKERS ? spawnWorker(message.memoryMb) : undefined;
}

function startSpare(): void {
  if (!spare && workerCount < MAX_WORKERS) spare = spawnWorker(SPARE_MEMORY_MB);
}

function owner(worker: Worker): string | undefined {
  for (const [id, run] of running) if (run.worker === worker) return id;
  return undefined;
}

function invoke(message: InvokeMessage): void {
  const worker = takeWorker(message);
  if (!worker) {
    sendResult(message.id, failureJson('BUSY', `this sandbox already runs ${MAX_WORKERS} calls`), []);
    return;
  }
  const timer = setTimeout(() => {
    finish(message.id, failureJson('TIMEOUT', `${message.fn} did not finish within ${message.timeoutMs} ms and was stopped`), [], false);
  }, message.timeoutMs);
  running.set(message.id, { worker, fn: message.fn, file: message.file, memoryMb: message.memoryMb, timer });
  recentPeak = Math.max(recentPeak, running.size);
  worker.postMessage({ t: 'invoke', id: message.id, fn: message.fn, file: message.file, input: message.input } satisfies ToWorker);
}

function handle(line: string): void {
  let message: HostMessage;
  try {
    message = JSON.parse(line) as HostMessage;
  } catch {
    return;
  }
  if (message.t === 'invoke') invoke(message);
  else if (message.t === 'call-result') {
    running.get(message.id)?.worker.postMessage({ t: 'call-result', callId: message.callId, result: message.result } satisfies ToWorker);
  }
}

setInterval(() => {
  recentPeak = running.size;
  const cutoff = Date.now() - IDLE_WORKER_TTL_MS;
  for (const entry of idle.filter((e) => e.since < cutoff)) discard(entry.worker);
}, IDLE_WORKER_TTL_MS / 4).unref();

let buffered = '';
socket.setEncoding('utf8');
socket.on('connect', () => {
  send('{"t":"ready"}');
  startSpare();
});
socket.on('data', (chunk: string) => {
  buffered += chunk;
  let newline: number;
  while ((newline = buffered.indexOf('\n')) !== -1) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    if (line) handle(line);
  }
});
socket.on('close', () => process.exit(0));
socket.on('error', () => process.exit(1));
process.on('SIGTERM', () => process.exit(0));
