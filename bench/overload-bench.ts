/**
 * @module Overload and fairness benchmarks: a trivial public endpoint at the connection count that saturates it
 * and at 10x that (ok req/s kept, no TIMEOUT, refusals answered fast), while a second user calls its own
 * endpoint one call after another (its p99 against its p99 with no flood). Load comes from bench/load.ts
 * processes (autocannon), so the cloud's process does none of the callers' work.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { cloudClient } from '../cli/cloud-client.ts';
import { startCloud } from '../cloud/main.ts';
import type { ExecutorBundle } from '../docker/executor-factory.ts';
import { LOADER_LEAD_MS, runLoadProcess, type LoadPlan, type LoadReport } from './load.ts';
import { count, ms, times } from './stats.ts';

export interface OverloadBenchDeps {
  executor: ExecutorBundle;
  appDir: string;
  report(line: string): void;
}

/** Connection counts tried, in order, to find the one with the most ok req/s. */
const LADDER = [4, 8, 16, 32, 64, 128];
const LADDER_SECONDS = 3;
const SECONDS = 10;
const FLOOD_FACTOR = 10;
/** The second user's calls run inside the flood's window, this far from either end. */
const PROBE_MARGIN_MS = 1000;
const CALL_TIMEOUT_MS = 30_000;

interface Endpoint {
  url: string;
  token: string;
}

/** Signs up `email`, and makes and starts an app with `upper` behind a public POST /upper. */
async function userWithEndpoint(cloudUrl: string, email: string, appDir: string): Promise<Endpoint> {
  const anonymous = cloudClient(cloudUrl);
  const credentials = { email, password: 'benchmark-password' };
  await anonymous.request('POST', '/api/v1/accounts', credentials);
  const { token } = await anonymous.request<{ token: string }>('POST', '/api/v1/sessions', credentials);
  const client = cloudClient(cloudUrl, token);
  const app = await client.request<{ id: string }>('POST', '/api/v1/apps', { name: 'overload' });
  await client.request('PUT', `/api/v1/apps/${app.id}/functions/upper`, { code: await readFile(join(appDir, 'functions', 'upper.js'), 'utf8') });
  await client.request('POST', `/api/v1/apps/${app.id}/endpoints`, { method: 'POST', path: '/upper', function: 'upper', public: true });
  await client.request('POST', `/api/v1/apps/${app.id}/start`);
  return { url: `${cloudUrl}/run/${app.id}/upper`, token };
}

/** A plan for `connections` callers of `endpoint` over [startAt, endAt); `owner` sends the user's token. */
function plan(endpoint: Endpoint, connections: number, startAt: number, endAt: number, owner = false): LoadPlan {
  return {
    url: endpoint.url,
    method: 'POST',
    body: JSON.stringify({ input: { text: 'benchmark' } }),
    headers: { 'content-type': 'application/json', ...(owner ? { authorization: `Bearer ${endpoint.token}` } : {}) },
    connections,
    startAt,
    endAt,
    timeoutMs: CALL_TIMEOUT_MS,
  };
}

/** One window of `seconds` for each plan, all starting together. */
async function together(seconds: number, ...plans: ((startAt: number, endAt: number) => LoadPlan)[]): Promise<LoadReport[]> {
  const startAt = Date.now() + LOADER_LEAD_MS;
  return Promise.all(plans.map((make) => runLoadProcess(make(startAt, startAt + seconds * 1000))));
}

const okRate = (report: LoadReport) => report.okInWindow / report.seconds;
const answers = (report: LoadReport) =>
  Object.entries(report.labels)
    .sort((a, b) => b[1].count - a[1].count)
    .map(([name, stats]) => `${name} ${count(stats.count)}`)
    .join(', ') || 'none';
const labelled = (report: LoadReport, test: (name: string) => boolean) => Object.entries(report.labels).filter(([name]) => test(name));
const okLatency = (report: LoadReport) => labelled(report, (name) => name.startsWith('2'))[0]?.[1];
const okP99 = (report: LoadReport) => {
  const stats = okLatency(report);
  return stats ? `ok p99 ${ms(stats.p99 ?? NaN)}` : 'no ok answers';
};
const sum = (entries: [string, { count: number }][]) => entries.reduce((total, [, stats]) => total + stats.count, 0);

/**
 * The connection count with the most ok req/s, climbing the ladder until two steps in a row fall below 0.9 of
 * the best (one such step can be another process's noise on a small machine).
 */
async function saturation(endpoint: Endpoint): Promise<{ connections: number; steps: string[] }> {
  let best = { connections: LADDER[0]!, rate: -1 };
  let below = 0;
  const steps: string[] = [];
  for (const connections of LADDER) {
    const [step] = await together(LADDER_SECONDS, (startAt, endAt) => plan(endpoint, connections, startAt, endAt));
    const rate = okRate(step!);
    steps.push(`${connections}: ${count(rate)}`);
    below = rate < 0.9 * best.rate ? below + 1 : 0;
    if (rate > best.rate) best = { connections, rate };
    if (below === 2) break;
  }
  return { connections: best.connections, steps };
}

export async function benchOverload(deps: OverloadBenchDeps): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ec-bench-overload-'));
  const cloud = await startCloud({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    attemptsPerMinute: 10_000,
    executor: deps.executor,
    logger: pino({ level: 'silent' }),
  });
  try {
    const flooded = await userWithEndpoint(cloud.url, 'flooded@example.com', deps.appDir);
    const neighbour = await userWithEndpoint(cloud.url, 'neighbour@example.com', deps.appDir);
    // Both apps warm, then the neighbour's calls with nothing else running.
    await together(
      2,
      (startAt, endAt) => plan(flooded, 8, startAt, endAt),
      (startAt, endAt) => plan(neighbour, 1, startAt, endAt, true),
    );
    const [alone] = await together(5, (startAt, endAt) => plan(neighbour, 1, startAt, endAt, true));
    const { connections, steps } = await saturation(flooded);
    const [saturated] = await together(SECONDS, (startAt, endAt) => plan(flooded, connections, startAt, endAt));
    const flood = connections * FLOOD_FACTOR;
    const [overloaded, during] = await together(
      SECONDS,
      (startAt, endAt) => plan(flooded, flood, startAt, endAt),
      (startAt, endAt) => plan(neighbour, 1, startAt + PROBE_MARGIN_MS, endAt - PROBE_MARGIN_MS, true),
    );
    reportOverload(deps, { connections, steps, saturated: saturated!, flood, overloaded: overloaded! });
    reportFairness(deps, alone!, during!);
  } finally {
    await cloud.close();
  }
}

interface OverloadRun {
  connections: number;
  steps: string[];
  saturated: LoadReport;
  flood: number;
  overloaded: LoadReport;
}

function reportOverload(deps: OverloadBenchDeps, run: OverloadRun): void {
  const [at, base] = [okRate(run.overloaded), okRate(run.saturated)];
  const timeouts = sum(labelled(run.overloaded, (name) => name.endsWith(' TIMEOUT')));
  const unanswered = sum(labelled(run.overloaded, (name) => name === 'no answer'));
  const refusals = labelled(run.overloaded, (name) => name.startsWith('429'));
  const refusalP99 = refusals.length === 0 ? 'no 429 answers' : refusals.map(([name, stats]) => `${name} p99 ${ms(stats.p99 ?? NaN)}`).join(', ');
  deps.report(
    `overload: ${FLOOD_FACTOR}x (${count(run.flood)} conns, ${SECONDS} s) ${count(at)} ok/s vs ${count(base)} at ${run.connections} (${times(at / base)}, target >= 0.9)` +
      ` · TIMEOUT ${count(timeouts)} (target 0)${unanswered ? ` · ${count(unanswered)} with no answer in ${CALL_TIMEOUT_MS / 1000} s` : ''} · ${refusalP99} (target <= 20 ms)`,
  );
  deps.report(`  answers at ${count(run.flood)} conns: ${answers(run.overloaded)}; ${okP99(run.overloaded)}`);
  deps.report(`  answers at ${run.connections} conns: ${answers(run.saturated)}; ${okP99(run.saturated)}`);
  deps.report(`  saturation search (ok req/s by connections, ${LADDER_SECONDS} s each): ${run.steps.join(', ')}`);
}

function reportFairness(deps: OverloadBenchDeps, alone: LoadReport, during: LoadReport): void {
  const [quiet, flooded] = [okLatency(alone), okLatency(during)];
  const failures = (report: LoadReport, when: string) => {
    const failed = labelled(report, (name) => !name.startsWith('2'));
    return failed.length === 0 ? '' : `; failed ${when}: ${failed.map(([name, stats]) => `${name} ${count(stats.count)}`).join(', ')}`;
  };
  const figure = !flooded ? 'no ok answer during the flood' : `p99 ${ms(flooded.p99 ?? NaN)} (p50 ${ms(flooded.p50 ?? NaN)}, ${count(flooded.count)} ok calls)`;
  deps.report(
    `fairness: a second user's sequential calls to its own endpoint during the flood: ${figure} vs p99 ${ms(quiet?.p99 ?? NaN)} with no flood (${count(quiet?.count ?? 0)} ok calls)` +
      ` (${times((flooded?.p99 ?? NaN) / (quiet?.p99 ?? NaN))}, target <= 3x)${failures(during, 'during the flood')}${failures(alone, 'with no flood')}`,
  );
}
