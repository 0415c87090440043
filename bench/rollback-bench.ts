/**
 * @module Rollback benchmark: the time from asking the cloud to make an older version of a running app active to the
 * first answer of its endpoint from that version, against putting the older code back as a change (the way without
 * versions): the same endpoint, the same warm executor.
 */
import { cloudWithUser, type CloudBenchDeps } from './cloud-bench.ts';
import { percentile } from './stats.ts';

const ROUNDS = 10;

const code = (which: string) => `export default () => ${JSON.stringify(which)};\n`;

/** Calls the endpoint until it answers `wanted`, and resolves with how many calls that took. */
async function firstAnswer(url: string, wanted: string): Promise<number> {
  for (let calls = 1; ; calls++) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const { output } = (await response.json()) as { output?: unknown };
    if (output === wanted) return calls;
    if (calls > 1000) throw new Error(`the endpoint still answered ${JSON.stringify(output)} after 1000 calls`);
  }
}

/** Milliseconds from the start of `act` to the endpoint's first answer of `wanted`, and the calls it took. */
async function timed(url: string, wanted: string, act: () => Promise<unknown>): Promise<{ ms: number; calls: number }> {
  const started = performance.now();
  await act();
  const calls = await firstAnswer(url, wanted);
  return { ms: performance.now() - started, calls };
}

const describe = (samples: number[]) => `median ${percentile(samples, 50).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms`;

/** Each round alternates the active version between the two, so that each switch is to the older one. */
async function rounds(url: string, switchTo: (which: 'v1' | 'v2') => Promise<unknown>): Promise<{ ms: number[]; calls: number }> {
  const ms: number[] = [];
  let calls = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const which = round % 2 === 0 ? 'v1' : 'v2';
    const sample = await timed(url, which, () => switchTo(which));
    ms.push(sample.ms);
    calls = Math.max(calls, sample.calls);
  }
  return { ms, calls };
}

export async function benchRollback(deps: CloudBenchDeps): Promise<void> {
  const { cloud, client } = await cloudWithUser(deps);
  try {
    const app = await client.request<{ id: string }>('POST', '/api/v1/apps', { name: 'rollback' });
    const base = `/api/v1/apps/${app.id}`;
    const put = (which: string) => client.request('PUT', `${base}/functions/which`, { code: code(which) });
    await put('v1');
    await client.request('POST', `${base}/endpoints`, { method: 'POST', path: '/which', function: 'which', public: true });
    await client.request('POST', `${base}/start`);
    const url = `${cloud.url}/run/${app.id}/which`;
    const activeVersion = async () => (await client.request<{ activeVersion: string }>('GET', base)).activeVersion;
    const v1 = await activeVersion();
    await timed(url, 'v2', () => put('v2'));
    const ids = { v1, v2: await activeVersion() };

    const baseline = await rounds(url, (which) => put(which));
    const rollback = await rounds(url, (which) => client.request('POST', `${base}/versions/${ids[which]}/activate`));
    deps.report(
      `rollback: request to first answer from the older version (${ROUNDS} switches): putting the older code back ${describe(baseline.ms)}; rollback ${describe(rollback.ms)}, answered by the first call ${rollback.calls === 1 ? 'every time' : `within ${rollback.calls} calls`}`,
    );
  } finally {
    await cloud.close();
  }
}
