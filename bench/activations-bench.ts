/**
 * @module Activation records and profiles benchmark: the same warm public endpoint on two clouds sharing one executor,
 * one recording activations and counting profiles and one doing neither, measured in turns in one run; together they
 * may cost at most 5% of a call.
 */
import type { CloudBenchDeps } from './cloud-bench.ts';
import { cloudWithApp, load } from './cloud-bench.ts';

/** Turns of off and on: alternating spreads the drift of a busy machine over both. */
const TURNS = 2;

export async function benchActivationRecords(deps: CloudBenchDeps): Promise<void> {
  const on = await cloudWithApp(deps);
  const off = await cloudWithApp(deps, { activations: { record: false }, profiles: { record: false } });
  try {
    for (const connections of [1, 64]) {
      await load(on.url, connections);
      await load(off.url, connections);
      const rps = { on: 0, off: 0 };
      for (let turn = 0; turn < TURNS; turn++) {
        for (const [name, url] of [
          ['off', off.url],
          ['on', on.url],
        ] as const)
          rps[name] += (await load(url, connections)).rps / TURNS;
      }
      const overhead = ((rps.off - rps.on) / rps.off) * 100;
      deps.report(
        `activation records and profiles, warm endpoint call, ${connections} client${connections > 1 ? 's' : ''}: off ${Math.round(rps.off)} req/s; on ${Math.round(rps.on)} req/s; overhead ${overhead.toFixed(1)}% of a call (target <= 5%)`,
      );
    }
  } finally {
    await on.cloud.close();
    await off.cloud.close();
  }
}
