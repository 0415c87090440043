/**
 * @module Runtime benchmarks: a warm call through the DockerExecutor against the same function called
 * in-process, and a new app's first call with the pre-started pool against a plain `docker run`.
 */
import type Docker from 'dockerode';
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sandboxConfig, defaultContainerLimits } from '../docker/container-launcher.ts';
import { OWNER_LABEL } from '../docker/sandbox-owner.ts';
import type { LoadedApp } from '../runtime/app.ts';
import type { Executor } from '../runtime/executor.ts';
import type { Invoker } from '../runtime/invoker.ts';
import { materializeApp } from '../runtime/materialize.ts';
import { CallFailed, count, failed, ms, percentile, Tally, throughput, timeSequential } from './stats.ts';

export interface RuntimeBenchDeps {
  docker: Docker;
  image: string;
  executor: Executor;
  invoker: Invoker;
  load(dir: string): Promise<LoadedApp>;
  appDir: string;
  report(line: string): void;
}

const SEQUENTIAL = 2000;
const CONCURRENT_TOTAL = 20_000;
const CALLERS = 32;
const FIRST_CALL_TRIALS = 8;

export async function benchWarmCalls(deps: RuntimeBenchDeps): Promise<void> {
  const app = await deps.load(deps.appDir);
  const input = { text: 'benchmark' };
  const module = (await import(pathToFileURL(join(deps.appDir, 'functions', 'upper.js')).href)) as { default: (input: unknown) => unknown };
  const inProcess = async () => module.default(input);
  const warm = async () => {
    const response = await deps.invoker.invoke(app, 'upper', input);
    if (!response.ok) throw new CallFailed(response.error.code, response.error.message);
  };
  await timeSequential(200, warm);
  const sequentialFailures = new Tally();
  const base = await timeSequential(SEQUENTIAL, inProcess);
  const docker = await timeSequential(SEQUENTIAL, warm, sequentialFailures);
  const concurrentFailures = new Tally();
  // Both sides warm up on a full concurrent batch first: the containers and worker threads a burst of
  // this size uses are started, and the harness's code is compiled, before the window opens.
  await throughput(CONCURRENT_TOTAL, CALLERS, warm);
  const baseRate = await throughput(CONCURRENT_TOTAL, CALLERS, inProcess);
  const dockerRate = await throughput(CONCURRENT_TOTAL, CALLERS, warm, concurrentFailures);
  const [b50, b99, d50, d99] = [percentile(base, 50), percentile(base, 99), percentile(docker, 50), percentile(docker, 99)];
  deps.report(
    `warm call, sequential (${SEQUENTIAL} calls): in-process p50 ${ms(b50)} p99 ${ms(b99)}; DockerExecutor p50 ${ms(d50)} p99 ${ms(d99)}${failed(sequentialFailures)}`,
  );
  deps.report(`  added latency at p50: ${ms(d50 - b50)} (target < 1 ms)`);
  deps.report(
    `warm calls, ${CALLERS} concurrent callers (${count(CONCURRENT_TOTAL)} calls): DockerExecutor ${count(dockerRate)} ok calls/s (target >= 20,000) vs in-process ${count(baseRate)} calls/s${failed(concurrentFailures)}`,
  );
}

/** The same function started the plain way: one `docker run --rm` (create, start, wait, remove) with the same sandbox. */
async function plainDockerRun(deps: RuntimeBenchDeps, app: LoadedApp): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'ec-plain-'));
  await chmod(dir, 0o755);
  await materializeApp(app, join(dir, 'app'), undefined);
  const script = `import(process.argv[1]).then((m) => m.default({ text: 'benchmark' })).then((r) => console.log(JSON.stringify(r)))`;
  const config = sandboxConfig(deps.image, dir, defaultContainerLimits, { [OWNER_LABEL]: 'bench' });
  const started = performance.now();
  const container = await deps.docker.createContainer({ ...config, Entrypoint: ['/usr/bin/node', '-e', script], Cmd: ['/ec/app/functions/upper.mjs'] });
  await container.start();
  const { StatusCode } = (await container.wait()) as { StatusCode: number };
  await container.remove({ force: true });
  const elapsed = performance.now() - started;
  await rm(dir, { recursive: true, force: true });
  if (StatusCode !== 0) throw new Error(`plain docker run exited with ${StatusCode}`);
  return elapsed;
}

export async function benchFirstCall(deps: RuntimeBenchDeps): Promise<void> {
  const pooled: number[] = [];
  const plain: number[] = [];
  const failures = new Tally();
  for (let trial = 0; trial < FIRST_CALL_TRIALS; trial++) {
    const dir = join(await mkdtemp(join(tmpdir(), 'ec-first-')), `app${trial}`);
    await cp(deps.appDir, dir, { recursive: true });
    const app = await deps.load(dir);
    // Let the pool start its generic containers again, as it does between arrivals of new apps.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    try {
      const started = performance.now();
      const response = await deps.invoker.invoke(app, 'upper', { text: 'benchmark' });
      if (!response.ok) throw new CallFailed(response.error.code, response.error.message);
      pooled.push(performance.now() - started);
      plain.push(await plainDockerRun(deps, app));
    } catch (error) {
      failures.addError(error);
    }
    await deps.executor.release(app.dir);
  }
  const [p, d] = [percentile(pooled, 50), percentile(plain, 50)];
  deps.report(
    `first call of a new app (median of ${pooled.length}/${FIRST_CALL_TRIALS}): pre-started pool ${ms(p)}; plain docker run ${ms(d)}; ${(d / p).toFixed(1)}x faster (target >= 10x)${failed(failures)}`,
  );
}
