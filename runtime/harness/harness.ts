/**
 * @module The harness: the process inside a container (or a child process) that connects to the host
 * over a Unix socket and runs function bodies in worker threads, one invocation per worker at a time.
 * A worker that runs too long or uses too much memory is terminated without disturbing the others.
 */
import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import { readdirSync, readFileSync } from 'node:fs';
import type { CallResult, HostMessage, InvokeMessage, LogEntry } from '../protocol.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol.ts';

const [socketPath, mode = 'process'] = process.argv.slice(2);
if (!socketPath) {
  process.stderr.write('usage: harness <socket> [container|process]\n');
  process.exit(2);
}

const MAX_WORKERS = 64;
const MAX_IDLE_PER_FILE = 4;
const workerUrl = new URL('./worker.mjs', import.meta.url);

interface Running {
  worker: Worker;
  file: string;
  timer: NodeJS.Timeout;
}

const idle = new Map<string, Worker[]>();
const running = new Map<string, Running>();
let workerCount = 0;

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

function discard(worker: Worker): void {
  void worker.terminate();
}

function finish(id: string, resultJson: string, logs: LogEntry[], healthy: boolean): void {
  const run = running.get(id);
  if (!run) return;
  running.delete(id);
  clearTimeout(run.timer);
  if (healthy) {
    const pool = idle.get(run.file) ?? [];
    if (pool.length < MAX_IDLE_PER_FILE) {
      pool.push(run.worker);
      idle.set(run.file, pool);
    } else {
      discard(run.worker);
    }
    sendResult(id, resultJson, logs);
    return;
  }
  discard(run.worker);
  sendResult(id, resultJson, logs, hasStrayProcesses());
}

function spawnWorker(message: InvokeMessage): Worker {
  const setup: WorkerSetup = { file: message.file, fn: message.fn };
  const worker = new Worker(workerUrl, {
    workerData: setup,
    env: {},
    resourceLimits: {
      maxOldGenerationSizeMb: message.memoryMb,
      maxYoungGenerationSizeMb: Math.max(4, Math.min(32, Math.floor(message.memoryMb / 8))),
      stackSizeMb: 4,
    },
  });
  workerCount++;
  worker.on('message', (event: FromWorker & { t: string }) => {
    if (event.t === 'call') {
      send(JSON.stringify({ t: 'call', id: event.id, callId: event.callId, fn: event.fn, input: event.input }));
    } else if (event.t === 'result') {
      finish(event.id, event.json, event.logs, true);
    }
  });
  worker.on('error', (error: Error & { code?: string }) => {
    const id = owner(worker);
    if (!id) return;
    const fn = message.fn;
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      finish(id, failureJson('OUT_OF_MEMORY', `${fn} used more than its ${message.memoryMb} MB memory limit and was stopped`), [], false);
    } else {
      finish(id, failureJson('FUNCTION_THREW', `${fn} crashed outside its returned promise: ${error.stack ?? error.message}`), [], false);
    }
  });
  worker.on('exit', (code) => {
    workerCount--;
    const id = owner(worker);
    if (id) finish(id, failureJson('FUNCTION_THREW', `${message.fn} ended its thread (exit code ${code}) before returning`), [], false);
    for (const [file, pool] of idle) idle.set(file, pool.filter((w) => w !== worker));
  });
  return worker;
}

function owner(worker: Worker): string | undefined {
  for (const [id, run] of running) if (run.worker === worker) return id;
  return undefined;
}

function invoke(message: InvokeMessage): void {
  let worker = idle.get(message.file)?.pop();
  if (!worker) {
    if (workerCount >= MAX_WORKERS) {
      sendResult(message.id, failureJson('BUSY', `this sandbox already runs ${MAX_WORKERS} calls`), []);
      return;
    }
    worker = spawnWorker(message);
  }
  const timer = setTimeout(() => {
    finish(message.id, failureJson('TIMEOUT', `${message.fn} did not finish within ${message.timeoutMs} ms and was stopped`), [], false);
  }, message.timeoutMs);
  running.set(message.id, { worker, file: message.file, timer });
  worker.postMessage({ t: 'invoke', id: message.id, input: message.input } satisfies ToWorker);
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

let buffered = '';
socket.setEncoding('utf8');
socket.on('connect', () => send('{"t":"ready"}'));
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
