/** @module `npm run bench`: every benchmark, measured in one run against its baseline, printed as lines for docs/benchmarks.md. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDist } from '../build/dist.ts';
import { ensureBaseImage } from '../docker/base-image.ts';
import { ensureEngine } from '../docker/engine.ts';
import { createExecutor } from '../docker/executor-factory.ts';
import { loadApp } from '../runtime/app.ts';
import { buildHarness } from '../runtime/harness-bundle.ts';
import { Invoker } from '../runtime/invoker.ts';
import { defaultCacheDir } from '../base/paths.ts';
import { benchActivationRecords } from './activations-bench.ts';
import { benchCloud } from './cloud-bench.ts';
import { benchConsole } from './console-bench.ts';
import { benchCourier } from './courier-bench.ts';
import { benchDatabase } from './database-bench.ts';
import { benchChain, benchPayloads } from './nested-bench.ts';
import { benchFleet } from './fleet-bench.ts';
import { benchOverload } from './overload-bench.ts';
import { benchPorts } from './ports-bench.ts';
import { benchRemote } from './remote-bench.ts';
import { benchRollback } from './rollback-bench.ts';
import { benchFirstCall, benchWarmCalls } from './runtime-bench.ts';
import { benchHelp, benchIdleStart, benchRunLocal, benchRunThroughService } from './start-bench.ts';

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
const report = (line: string) => process.stdout.write(`${line}\n`);

// `npm run bench -- courier cloud` runs only those groups, `npm run bench -- "cloud:activation records"` one part of a
// group; the table in docs/benchmarks.md is always a run of all of them.
// The courier goes first: this VM's ext4 has no journal, and without one every new file costs up to 20 times
// more for a minute or more after many are freed, as the other benchmarks do when they remove containers.
const names = ['courier', 'start', 'runtime', 'remote', 'cloud', 'fleet', 'console'] as const;
const chosen = process.argv.slice(2).map((arg) => {
  const [group = '', part] = arg.split(/:(.*)/s);
  return { group, part };
});
const unknown = chosen.filter(({ group }) => !(names as readonly string[]).includes(group));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown benchmark ${unknown.map(({ group }) => group).join(', ')}; choose from ${names.join(', ')}\n`);
  process.exit(2);
}
/** True when the command line asks for this part: it names nothing, the part's group, or the part itself. */
const wanted = (group: string, part: string) => chosen.length === 0 || chosen.some((c) => c.group === group && (c.part === undefined || c.part === part));

// Benchmarks that start edgecourier start what users run: the compiled program, up to date with the sources.
if (await ensureDist()) progress('compiled dist/');
const docker = await ensureEngine({ log: progress });
const image = await ensureBaseImage(docker, await buildHarness(join(defaultCacheDir(), 'harness')), { log: progress });
const bundle = await createExecutor({ prestart: 2, log: progress });
const { executor, installer } = bundle;
const invoker = new Invoker({ executor });
const deps = {
  docker,
  image,
  executor,
  invoker,
  load: (dir: string) => loadApp(dir, { dependencyKey: (manifest) => installer.key(manifest) }),
  appDir: fileURLToPath(new URL('../docs/examples/hello', import.meta.url)),
  report,
};

const cloudDeps = { executor: bundle, appDir: deps.appDir, report };
/** Each benchmark's parts, run in order; a part that fails outright does not keep the next from running. */
const benches: Record<(typeof names)[number], Record<string, () => Promise<void>>> = {
  courier: { courier: () => benchCourier(deps) },
  start: {
    'edgecourier --help': () => benchHelp(deps),
    'run --local': () => benchRunLocal(deps),
    'run through a courier': () => benchRunThroughService(deps),
    'idle start': () => benchIdleStart(deps),
  },
  runtime: {
    'warm calls': () => benchWarmCalls(deps),
    'ctx.call chain': () => benchChain(deps),
    'ctx.call payloads': () => benchPayloads(deps),
    'first call': () => benchFirstCall(deps),
    'ported functions': () => benchPorts(deps),
  },
  remote: { remote: () => benchRemote(cloudDeps) },
  cloud: {
    'endpoint calls': () => benchCloud(cloudDeps),
    'activation records': () => benchActivationRecords(cloudDeps),
    'overload and fairness': () => benchOverload(cloudDeps),
    'database writes': () => benchDatabase(cloudDeps),
    rollback: () => benchRollback(cloudDeps),
  },
  fleet: { fleet: () => benchFleet({ docker, executor: bundle, appDir: deps.appDir, report }) },
  console: { 'console first load': () => benchConsole(cloudDeps) },
};

report(`edgecourier benchmark — node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
try {
  for (const name of names) {
    for (const [part, run] of Object.entries(benches[name])) {
      if (!wanted(name, part)) continue;
      // A benchmark that fails outright is a row saying so; the others still run.
      await run().catch((error: unknown) => {
        report(`${part}: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        process.exitCode = 1;
      });
    }
  }
} finally {
  await executor.close();
}
