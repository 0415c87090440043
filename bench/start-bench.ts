/**
 * @module Start-up benchmarks of the compiled program users run: `edgecourier --help` against `node -e 0`, a
 * function run by `run --local`, and by `run` through a running courier's sandboxes, against plain node running it, and the RSS of an idle `edgecourier start` (what
 * `npm start` runs, without npm's own process), with its pre-started sandboxes' memory beside it.
 */
import type Docker from 'dockerode';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath } from '../build/dist.ts';
import { OWNER_LABEL } from '../docker/sandbox-owner.ts';
import { percentile } from './stats.ts';

export interface StartBenchDeps {
  docker: Docker;
  appDir: string;
  report(line: string): void;
}

/** Runs of each command, the command and its baseline taking turns so that both meet the same load. */
const RUNS = 10;
/** How long the service idles before its RSS counts: V8 gives back the young generation it grew at start-up only after about half a minute. */
const IDLE_S = 60;
/** The app's functions, imported by plain node and called directly, `ctx.call` included: the same work with no edgecourier. */
const PLAIN_RUN = `
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
const [dir, fn, input] = process.argv.slice(1);
const fns = {};
for (const file of readdirSync(join(dir, 'functions'))) fns[file.replace(/\\.m?js$/, '')] = (await import(join(dir, 'functions', file))).default;
const ctx = { call: async (name, input) => fns[name](input, ctx) };
console.log(JSON.stringify(await fns[fn](JSON.parse(input), ctx)));
`;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const verdict = (met: boolean): string => (met ? 'met' : 'NOT MET');

/** The wall time of `node <args>` from spawn to exit; an exit other than 0 throws with what it printed. */
function timeNode(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

/** Median wall times of a command and its baseline, run in turns after one untimed run of each. */
async function medians(subject: string[], baseline: string[], env?: NodeJS.ProcessEnv): Promise<{ subject: number; baseline: number }> {
  await timeNode(subject, env);
  await timeNode(baseline, env);
  const times = { subject: [] as number[], baseline: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    times.subject.push(await timeNode(subject, env));
    times.baseline.push(await timeNode(baseline, env));
  }
  return { subject: percentile(times.subject, 50), baseline: percentile(times.baseline, 50) };
}

export async function benchHelp(deps: StartBenchDeps): Promise<void> {
  const { subject, baseline } = await medians([cliPath, '--help'], ['-e', '0']);
  deps.report(
    `edgecourier --help (median of ${RUNS}): ${seconds(subject)}, ${(subject / baseline).toFixed(2)}x of node -e 0 at ${seconds(baseline)} (target <= 0.2 s: ${verdict(subject <= 200)})`,
  );
}

export async function benchRunLocal(deps: StartBenchDeps): Promise<void> {
  const input = '{"name":"bench"}';
  const { subject, baseline } = await medians(
    [cliPath, 'run', deps.appDir, 'greet', '--local', '--input', input],
    ['--input-type=module', '-e', PLAIN_RUN, deps.appDir, 'greet', input],
  );
  deps.report(
    `edgecourier run hello greet --local (median of ${RUNS}): ${seconds(subject)}, ${(subject / baseline).toFixed(2)}x of plain node running greet and upper at ${seconds(baseline)} (target <= 0.4 s: ${verdict(subject <= 400)})`,
  );
}

/**
 * `edgecourier run` (sandboxed) while a courier of the same user runs: it goes through the courier's run socket
 * and warm sandbox. The courier gets a run folder of its own, so no other service on the machine answers instead.
 */
export async function benchRunThroughService(deps: StartBenchDeps): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'ec-bench-run-'));
  const env = { ...process.env, EDGECOURIER_RUN_DIR: join(base, 'run') };
  await mkdir(join(base, 'root'));
  const child = spawn(process.execPath, [cliPath, 'courier', '--root', join(base, 'root'), '--state', join(base, 'state')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const socket = join(base, 'run', 'run.sock');
    for (let waited = 0; !(await stat(socket).catch(() => undefined)); waited += 100) {
      if (waited > 120_000) throw new Error('the courier did not answer runs within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const input = '{"name":"bench"}';
    const { subject, baseline } = await medians(
      [cliPath, 'run', deps.appDir, 'greet', '--input', input],
      ['--input-type=module', '-e', PLAIN_RUN, deps.appDir, 'greet', input],
      env,
    );
    deps.report(
      `edgecourier run hello greet in a container, a courier running (median of ${RUNS}): ${seconds(subject)}, ${(subject / baseline).toFixed(2)}x of plain node running greet and upper at ${seconds(baseline)} (target <= 0.3 s: ${verdict(subject <= 300)})`,
    );
  } finally {
    child.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000))]);
    if (!stopped) child.kill('SIGKILL');
    await rm(base, { recursive: true, force: true });
  }
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
}

/** Memory of each sandbox `pid` started, as `docker stats` counts it: usage less the inactive page cache. */
async function sandboxMemoryMb(docker: Docker, pid: number): Promise<number[]> {
  const containers = await docker.listContainers({ filters: { label: [`${OWNER_LABEL}=${hostname()}:${pid}`] } });
  return Promise.all(
    containers.map(async (info) => {
      const { memory_stats: memory } = await docker.getContainer(info.Id).stats({ stream: false });
      const inactive = memory.stats?.inactive_file ?? memory.stats?.total_inactive_file ?? 0;
      return (memory.usage - inactive) / 1024 / 1024;
    }),
  );
}

export async function benchIdleStart(deps: StartBenchDeps): Promise<void> {
  const data = await mkdtemp(join(tmpdir(), 'ec-bench-start-'));
  const child = spawn(process.execPath, [cliPath, 'start', '--data', data, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const seen = (chunk: string) => {
        output += chunk;
        if (output.includes('edgecourier is running')) resolve();
      };
      child.stdout.setEncoding('utf8').on('data', seen);
      child.stderr.setEncoding('utf8').on('data', seen);
      child.once('exit', (code) => reject(new Error(`edgecourier start exited with ${code}: ${output.trim()}`)));
    });
    const atReady = await rssMb(child.pid!);
    let peak = atReady;
    for (let second = 0; second < IDLE_S; second++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      peak = Math.max(peak, await rssMb(child.pid!));
    }
    const idle = await rssMb(child.pid!);
    const sandboxes = await sandboxMemoryMb(deps.docker, child.pid!);
    const sandboxText =
      sandboxes.length === 0
        ? 'no pre-started sandboxes found'
        : `its ${sandboxes.length} pre-started sandboxes ${sandboxes.map((mb) => `${mb.toFixed(1)} MB`).join(' + ')}`;
    deps.report(
      `idle edgecourier start (the cloud and a courier in one process): RSS ${idle.toFixed(1)} MB after ${IDLE_S} s idle (${atReady.toFixed(1)} MB when ready, peak ${peak.toFixed(1)} MB) (target <= 80 MB: ${verdict(idle <= 80)}); ${sandboxText}`,
    );
  } finally {
    child.kill('SIGTERM');
    // It stops its sandboxes before it exits; a stuck stop must not hold the benchmark.
    const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000))]);
    if (!stopped) child.kill('SIGKILL');
    await rm(data, { recursive: true, force: true });
  }
}
