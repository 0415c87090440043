/**
 * @module Courier benchmarks: drop-to-result latency (renamed in, written in place), and a 2,000-request
 * backlog against the same calls made directly through the executor, with the courier's peak RSS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { watch } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRegularFile, replaceFile } from '../courier/fast-fs.ts';
import type { LoadedApp } from '../runtime/app.ts';
import type { Invoker } from '../runtime/invoker.ts';
import { ms, percentile, throughput } from './stats.ts';

export interface CourierBenchDeps {
  invoker: Invoker;
  load(dir: string): Promise<LoadedApp>;
  appDir: string;
  report(line: string): void;
}

const cli = fileURLToPath(new URL('../cli/edgecourier.js', import.meta.url));
const LATENCY_SAMPLES = 200;
const BACKLOG = 2000;
const CONCURRENCY = 16;

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
  const child = spawn(process.execPath, [cli, 'courier', '--root', root, '--state', join(base, 'state'), '-c', String(CONCURRENCY)], { stdio: ['ignore', 'pipe', 'inherit'] });
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

async function dropToResult(courier: CourierProcess, id: string, inPlace: boolean): Promise<number> {
  const text = JSON.stringify({ function: 'upper', input: { text: id } });
  let arrived!: (at: number) => void;
  const arrival = new Promise<number>((resolve) => (arrived = resolve));
  const stop = resultArrival(courier.results, new Set([id]), (_, at) => arrived(at));
  const started = performance.now();
  if (inPlace) {
    await writeFile(join(courier.requests, `${id}.json`), text);
  } else {
    await writeFile(join(courier.requests, `.${id}.tmp`), text);
    await rename(join(courier.requests, `.${id}.tmp`), join(courier.requests, `${id}.json`));
  }
  const at = await arrival;
  stop();
  return at - started;
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
      for (let i = 0; i < LATENCY_SAMPLES; i++) samples.push(await dropToResult(courier, `${inPlace ? 'place' : 'rename'}${i}`, inPlace));
      deps.report(`drop-to-result, ${inPlace ? 'written in place' : 'renamed in'} (${LATENCY_SAMPLES} requests): p50 ${ms(percentile(samples, 50))} p99 ${ms(percentile(samples, 99))}${inPlace ? '' : ' (target p50 < 50 ms)'}`);
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

/** Swaps in a requests folder holding `count` requests and resolves with the seconds until every result is there. */
async function runBacklog(courier: CourierProcess, name: string, count: number): Promise<number> {
  const staging = await stageRequests(courier, name, count);
  const pending = new Set(Array.from({ length: count }, (_, i) => `${name}${i}`));
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const stop = resultArrival(courier.results, pending, () => pending.size === 0 && done());
  const started = performance.now();
  await rename(courier.requests, join(courier.root, '..', `before-${name}`));
  await rename(staging, courier.requests);
  await finished;
  stop();
  return (performance.now() - started) / 1000;
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
    replaceFile(join(results, `.files${i}.json.${randomUUID()}.tmp`), join(results, `files${i}.json`), result);
  }
  return (performance.now() - started) / 1000;
}

async function benchBacklog(deps: CourierBenchDeps, courier: CourierProcess): Promise<void> {
  const app = await deps.load(deps.appDir);
  const call = (i: number) => deps.invoker.invoke(app, 'upper', { text: `direct${i}` });
  // Both sides first work through a batch of the same size, so both have started their containers'
  // worker threads and compiled their hot paths before the clock runs.
  await throughput(BACKLOG, CONCURRENCY, call);
  await runBacklog(courier, 'warm', BACKLOG);
  const direct = BACKLOG / (await throughput(BACKLOG, CONCURRENCY, call));
  // Just before the backlog, so the file system is in the state the courier meets.
  const files = await fileWork(courier, BACKLOG);
  const elapsed = await runBacklog(courier, 'b', BACKLOG);
  const rss = await peakRssMb(courier.child.pid!);
  deps.report(
    `backlog of ${BACKLOG} requests: courier ${elapsed.toFixed(2)} s vs direct executor calls ${direct.toFixed(2)} s (${(elapsed / direct).toFixed(2)}x, target <= 2x); courier peak RSS ${rss.toFixed(0)} MB`,
  );
  deps.report(
    `  of which unavoidable: reading ${BACKLOG} request files and writing their results atomically, no function run: ${files.toFixed(2)} s (${(files / direct).toFixed(2)}x of the direct calls)`,
  );
}
