/**
 * @module Nested-call benchmarks: what one `ctx.call` hop adds, from a chain of 50 functions against a single warm
 * top-level call (bench/apps/chain), and 1 MB and 5 MB strings sent through `ctx.call` and back (bench/apps/payload).
 */
import { fileURLToPath } from 'node:url';
import type { LoadedApp } from '../runtime/app.ts';
import type { Invoker } from '../runtime/invoker.ts';
import { CallFailed, count, failed, ms, percentile, Tally, timeSequential } from './stats.ts';

export interface NestedBenchDeps {
  invoker: Invoker;
  load(dir: string): Promise<LoadedApp>;
  report(line: string): void;
}

const chainDir = fileURLToPath(new URL('./apps/chain', import.meta.url));
const payloadDir = fileURLToPath(new URL('./apps/payload', import.meta.url));

/** Functions in bench/apps/chain: link01 calls link02 … calls link50. */
const CHAIN = 50;
/** The longest chain today's depth limit (16) lets through, measured for reference when the chain of 50 fails. */
const REFERENCE_CHAIN = 16;
const CHAIN_SAMPLES = 200;
const SINGLE_SAMPLES = 1000;
const MB = 1024 * 1024;
const PAYLOADS = [
  { label: '1 MB', bytes: MB, samples: 20, target: 20 },
  { label: '5 MB', bytes: 5 * MB, samples: 10, target: 100 },
];

/** Invokes `fn` and checks its output, throwing CallFailed with the answer's code when it failed. */
async function invokeExpecting(deps: NestedBenchDeps, app: LoadedApp, fn: string, input: unknown, expected: unknown): Promise<void> {
  const response = await deps.invoker.invoke(app, fn, input);
  if (!response.ok) throw new CallFailed(response.error.code, response.error.message);
  if (response.output !== expected)
    throw new CallFailed('WRONG_OUTPUT', `${fn} answered ${JSON.stringify(response.output)?.slice(0, 80)}, not ${JSON.stringify(expected)}`);
}

/** p50 in ms of a warm chain of `length` links (the last `length` functions of the chain app), with its failures. */
async function timeChain(deps: NestedBenchDeps, app: LoadedApp, length: number, samples: number): Promise<{ p50: number; samples: number; failures: Tally }> {
  const top = `link${String(CHAIN + 1 - length).padStart(2, '0')}`;
  const call = () => invokeExpecting(deps, app, top, { hops: 0 }, length);
  // Every link's worker and module are warm before the clock runs.
  await timeSequential(20, call);
  const failures = new Tally();
  const durations = await timeSequential(samples, call, failures);
  return { p50: percentile(durations, 50), samples: durations.length, failures };
}

/** A failure quoted in a row: its code, count and first message. */
function quote(failures: Tally): string {
  const code = failures.first ?? 'none';
  return `${failures} (first: ${failures.example(code) ?? code})`;
}

export async function benchChain(deps: NestedBenchDeps): Promise<void> {
  const app = await deps.load(chainDir);
  const single = await timeChain(deps, app, 1, SINGLE_SAMPLES);
  const chain = await timeChain(deps, app, CHAIN, CHAIN_SAMPLES);
  const hop = (p50: number, length: number) => (p50 - single.p50) / (length - 1);
  const head = `ctx.call per hop, chain of ${CHAIN} functions (link01 -> link${CHAIN}, one app)`;
  const baseline = `single warm top-level call p50 ${ms(single.p50)}${failed(single.failures)}`;
  if (chain.samples === 0) {
    const reference = await timeChain(deps, app, REFERENCE_CHAIN, CHAIN_SAMPLES);
    const seen =
      reference.samples === 0
        ? `failed too: ${quote(reference.failures)}`
        : `${ms(hop(reference.p50, REFERENCE_CHAIN))} per hop at p50 (chain p50 ${ms(reference.p50)})`;
    deps.report(`${head}: FAILED, all ${count(CHAIN_SAMPLES)} calls: ${quote(chain.failures)}; target <= 0.3 ms per hop; ${baseline}`);
    deps.report(`  for reference, a chain of ${REFERENCE_CHAIN}: ${seen}`);
    return;
  }
  deps.report(
    `${head}: ${ms(hop(chain.p50, CHAIN))} added per hop at p50 (target <= 0.3 ms): chain p50 ${ms(chain.p50)} over ${CHAIN - 1} hops vs ${baseline}${failed(chain.failures)}`,
  );
}

export async function benchPayloads(deps: NestedBenchDeps): Promise<void> {
  const app = await deps.load(payloadDir);
  const relay = (bytes: number) => () => invokeExpecting(deps, app, 'relay', { bytes }, bytes);
  await timeSequential(50, relay(0));
  const empty = percentile(await timeSequential(500, relay(0)), 50);
  for (const { label, bytes, samples, target } of PAYLOADS) {
    await timeSequential(2, relay(bytes));
    const failures = new Tally();
    const durations = await timeSequential(samples, relay(bytes), failures);
    const head = `${label} through ctx.call (relay -> echo and back, ${count(bytes)} characters, ${samples} calls)`;
    const figure = durations.length === 0 ? `FAILED, all calls: ${quote(failures)}` : `p50 ${ms(percentile(durations, 50))}${failed(failures)}`;
    deps.report(`${head}: ${figure} (target <= ${target} ms) vs ${ms(empty)} with an empty string`);
  }
}
