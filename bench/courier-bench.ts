/**
 * @module Courier benchmarks: drop-to-result latency (renamed in, written in place), and a 2,000-request
 * backlog against the same calls made directly through the executor plus the file work alone, both
 * measured in the same run, with the courier's peak RSS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomicSync } from '../base/atomic-file.ts';
import { readRegularFile } from '../courier/fast-fs.ts';
import type { LoadedApp } from '../runtime/app.ts';
import type { Invoker } from '../runtime/invoker.ts';
import { CallFailed, count, failed, ms, percentile, Tally, throughput, times } from './stats.ts';

export interface CourierBenchDeps {
  invoker: Invoker;
  load(dir: string): Promise<LoadedApp>;
  appDir: string;
  report(line: string): void;
}

const cli = fileURLToPath(new URL('../dist/edgecourier.js', import.meta.url));
const LATENCY_SAMPLES = 200;
const BACKLOG = 2000;
const CONCURRENCY = 16;
/** How long one dropped request may take to get its result before it counts as failed. */
const RESULT_DEADLINE_MS = 10_000;
/** How long a whole backlog may take before the row reports what arrived. */
const BACKLOG_DEADLINE_MS = 180_000;

interface CourierProcess {
  child: ChildProcess;
  root: string;
  results: string;
  requests: string;
}

async function startCourierProcess(appDir: string): Promise<CourierProcess> {
  const base = await mkdtemp(join(tmpdir(), 'ec-bench-courier-'));
  const root = join(base, 'synced');
  await cp(appDir, join(root, 'hello'), { recursive: true });
  const results = join(root, 'hello', 'results');
  await mkdir(results, { recursive: true });
  const child = spawn(process.execPath, [cli, 'courier', '--root', root, '--state', join(base, 'state'), '-c', String(CONCURRENCY)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => chunk.includes('courier is watching') && resolve());
    child.once('exit', (code) => reject(new Error(`courier exited with ${code}`)));
  });
  child.stdout!.resume();
  // The initial scan makes the app settle; let that pass so it is not counted.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return { child, root, results, requests: join(root, 'hello', 'requests') };
}

/** Resolves with the time the result file `<id>.json` appears, watched with inotify rather than polled. */
function resultArrival(results: string, ids: Set<string>, onArrive: (id: string, at: number) => void): () => void {
  const watcher = watch(results, (_, name) => {
    const id = name?.endsWith('.json') && !name.startsWith('.') ? name.slice(0, -5) : undefined;
    if (id && ids.delete(id)) onArrive(id, performance.now());
  });
  return () => watcher.close();
}

/** Rejects when `promise` has not settled after `ms`, saying what did not happen. */
function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer!: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new CallFailed('NO_RESULT', `${what} after ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The error code of a result file that says the request failed, or undefined for a success. */
async function failureCode(results: string, id: string): Promise<string | undefined> {
  const result = JSON.parse(await readFile(join(results, `${id}.json`), 'utf8')) as { ok: boolean; error?: { code?: string } };
  return result.ok ? undefined : (result.error?.code ?? 'UNKNOWN');
}

async function dropToResult(courier: CourierProcess, id: string, inPlace: boolean): Promise<number> {
  const text = JSON.stringify({ function: 'upper', input: { text: id } });
  let arrived!: (at: number) => void;
  const arrival = new Promise<number>((resolve) => (arrived = resolve));
  const stop = resultArrival(courier.results, new Set([id]), (_, at) => arrived(at));
  try {
    const started = performance.now();
    if (inPlace) {
      await writeFile(join(courier.requests, `${id}.json`), text);
    } else {
      await writeFile(join(courier.requests, `.${id}.tmp`), text);
      await rename(join(courier.requests, `.${id}.tmp`), join(courier.requests, `${id}.json`));
    }
    const at = await deadline(arrival, RESULT_DEADLINE_MS, `no result for ${id}`);
    const code = await failureCode(courier.results, id);
    if (code) throw new CallFailed(code);
    return at - started;
  } finally {
    stop();
  }
}

function peakRssMb(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((status) => Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024);
}

export async function benchCourier(deps: CourierBenchDeps): Promise<void> {
  const courier = await startCourierProcess(deps.appDir);
  try {
    await mkdir(courier.requests, { recursive: true });
    for (const inPlace of [false, true]) {
      const samples: number[] = [];
      const failures = new Tally();
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        try {
          samples.push(await dropToResult(courier, `${inPlace ? 'place' : 'rename'}${i}`, inPlace));
        } catch (error) {
          failures.addError(error);
        }
      }
      deps.report(
        `drop-to-result, ${inPlace ? 'written in place' : 'renamed in'} (${LATENCY_SAMPLES} requests): p50 ${ms(percentile(samples, 50))} p99 ${ms(percentile(samples, 99))}${inPlace ? '' : ' (target p50 < 50 ms)'}${failed(failures)}`,
      );
    }
    await benchBacklog(deps, courier);
  } finally {
    courier.child.kill('SIGTERM');
  }
}

/** Writes `count` requests named `<name><i>.json` into a new folder `staging-<name>` beside the root, and flushes them to disk. */
async function stageRequests(courier: CourierProcess, name: string, count: number): Promise<string> {
  const staging = join(courier.root, '..', `staging-${name}`);
  await mkdir(staging);
  for (let i = 0; i < count; i++) await writeFile(join(staging, `${name}${i}.json`), JSON.stringify({ function: 'upper', input: { text: `${name}${i}` } }));
  // Written back before the clock starts: the measured writes should not wait behind the setup's.
  spawnSync('sync');
  return staging;
}

interface Backlog {
  seconds: number;
  /** Results that had not arrived by the deadline. */
  missing: number;
  /** Results that arrived saying their request failed, by code. */
  failures: Tally;
}

/** Swaps in a requests folder holding `count` requests and resolves with the seconds until every result is there. */
async function runBacklog(courier: CourierProcess, name: string, count: number): Promise<Backlog> {
  const staging = await stageRequests(courier, name, count);
  const pending = new Set(Array.from({ length: count }, (_, i) => `${name}${i}`));
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const stop = resultArrival(courier.results, pending, () => pending.size === 0 && done());
  const started = performance.now();
  await rename(courier.requests, join(courier.root, '..', `before-${name}`));
  await rename(staging, courier.requests);
  const all = await deadline(finished, BACKLOG_DEADLINE_MS, 'backlog').then(
    () => true,
    () => false,
  );
  const seconds = (performance.now() - started) / 1000;
  stop();
  const failures = new Tally();
  for (let i = 0; i < count; i++) {
    if (pending.has(`${name}${i}`)) continue;
    const code = await failureCode(courier.results, `${name}${i}`).catch(() => 'UNREADABLE_RESULT');
    if (code) failures.add(code);
  }
  return { seconds: all ? seconds : NaN, missing: pending.size, failures };
}

/**
 * Seconds to read `count` request files and write a result for each atomically, with the courier's own
 * file operations and no function run: the part of a backlog no courier on this file system can avoid.
 */
async function fileWork(courier: CourierProcess, count: number): Promise<number> {
  const requests = await stageRequests(courier, 'files', count);
  const results = join(courier.root, '..', 'files-results');
  await mkdir(results);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const reading = readRegularFile(join(requests, `files${i}.json`), 1024 * 1024);
    if (reading.kind !== 'text') throw new Error(`could not read staged request ${i}: ${reading.kind}`);
    const request = JSON.parse(reading.text) as { input: unknown };
    const result = JSON.stringify({ ok: true, output: request.input }, null, 2) + '\n';
    writeFileAtomicSync(join(results, `files${i}.json`), result);
  }
  return (performance.now() - started) / 1000;
}

async function benchBacklog(deps: CourierBenchDeps, courier: CourierProcess): Promise<void> {
  const app = await deps.load(deps.appDir);
  const call = async (i: number) => {
    const response = await deps.invoker.invoke(app, 'upper', { text: `direct${i}` });
    if (!response.ok) throw new CallFailed(response.error.code, response.error.message);
  };
  // Both sides first work through a batch of the same size, so both have started their containers'
  // worker threads and compiled their hot paths before the clock runs.
  await throughput(BACKLOG, CONCURRENCY, call);
  await runBacklog(courier, 'warm', BACKLOG);
  const directFailures = new Tally();
  const directStarted = performance.now();
  await throughput(BACKLOG, CONCURRENCY, call, directFailures);
  const direct = (performance.now() - directStarted) / 1000;
  // Just before the backlog, so the file system is in the state the courier meets.
  const files = await fileWork(courier, BACKLOG);
  const backlog = await runBacklog(courier, 'b', BACKLOG);
  const rss = await peakRssMb(courier.child.pid!);
  const floor = direct + files;
  const head = `backlog of ${count(BACKLOG)} requests`;
  const parts = `direct executor calls ${direct.toFixed(2)} s${failed(directFailures)} + file-work floor ${files.toFixed(2)} s = ${floor.toFixed(2)} s`;
  const figure =
    backlog.missing > 0
      ? `courier FAILED: ${count(backlog.missing)} of ${count(BACKLOG)} results missing after ${BACKLOG_DEADLINE_MS / 1000} s`
      : `courier ${backlog.seconds.toFixed(2)} s (${times(backlog.seconds / floor)} of the sum, target <= 1.3x)`;
  const failedResults = backlog.failures.total === 0 ? '' : `; ${count(backlog.failures.total)} courier results say failed (${backlog.failures})`;
  deps.report(`${head}: ${figure} vs ${parts}${failedResults}; courier peak RSS ${rss.toFixed(0)} MB`);
  deps.report(
    `  the file-work floor: reading ${count(BACKLOG)} request files and writing their results atomically, no function run (${times(files / direct)} of the direct calls)`,
  );
}
