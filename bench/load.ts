/**
 * @module A load generator run as its own process (so its work is not the cloud's): autocannon's `connections`
 * callers, each sending requests one after another over a kept-alive connection between two wall-clock times,
 * every answer counted by status and error code with its latency, and on request the 2xx answers of each
 * millisecond. Prints one JSON LoadReport on stdout.
 * Usage: node --import=tsx bench/load.ts '<LoadPlan as JSON>', or runLoadProcess(plan) from a benchmark.
 */
import autocannon from 'autocannon';
import { execFile } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { percentile } from './stats.ts';

export interface LoadPlan {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  connections: number;
  /** Wall-clock times (Date.now()) of the first request and of the end of the window. */
  startAt: number;
  endAt: number;
  /** A request with no answer after this long is given up and counted as "no answer". */
  timeoutMs: number;
  /** Count the 2xx answers of each millisecond too (LoadReport.okEachMs), for a benchmark that changes something while the load runs. */
  timeline?: boolean;
}

export interface LabelStats {
  count: number;
  /** Latency in ms, for answers; failures with no answer have none. */
  p50?: number;
  p99?: number;
}

export interface LoadReport {
  /** Seconds from the first request to the end of the window. */
  seconds: number;
  /** 2xx answers that arrived within the window. */
  okInWindow: number;
  /** Every answer or failure by label: "200", "429 BUSY", "504 TIMEOUT", "no answer", "connection error". */
  labels: Record<string, LabelStats>;
  /** With LoadPlan.timeline: the 2xx answers that arrived in each millisecond from `startedAt`, when the first request went (startAt or later), to endAt. */
  okEachMs?: number[];
  startedAt?: number;
}

/** The label of an answer: its status, and for a failure the error code its JSON body gives. */
function label(status: number, body: string): string {
  if (status >= 200 && status < 300) return String(status);
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? `${status} ${code}` : String(status);
  } catch {
    return String(status);
  }
}

export async function runLoad(plan: LoadPlan): Promise<LoadReport> {
  const latencies = new Map<string, number[]>();
  let okInWindow = 0;
  // autocannon hands a response's body to onResponse and, in the same turn, its latency to the 'response' event.
  let last = '';
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, plan.startAt - Date.now())));
  const started = Date.now();
  const okEachMs = plan.timeline ? new Array<number>(Math.max(0, plan.endAt - started)).fill(0) : undefined;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const options: autocannon.Options = {
      url: plan.url,
      connections: plan.connections,
      duration: Math.max(0.1, (plan.endAt - started) / 1000),
      timeout: plan.timeoutMs / 1000,
      requests: [{ method: plan.method, body: plan.body, headers: plan.headers, onResponse: (status, body) => (last = label(status, body)) }],
    };
    const instance = autocannon(options, (error: unknown, done: autocannon.Result) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client, status, _bytes, responseTime) => {
      if (status >= 200 && status < 300) {
        okInWindow++;
        const at = Date.now() - started;
        if (okEachMs && at >= 0 && at < okEachMs.length) okEachMs[at]!++;
      }
      const samples = latencies.get(last) ?? [];
      samples.push(responseTime);
      latencies.set(last, samples);
    });
  });
  const labels: Record<string, LabelStats> = {};
  for (const [name, samples] of latencies) labels[name] = { count: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99) };
  if (result.timeouts > 0) labels['no answer'] = { count: result.timeouts };
  if (result.errors > result.timeouts) labels['connection error'] = { count: result.errors - result.timeouts };
  return { seconds: Math.max(0.001, (plan.endAt - started) / 1000), okInWindow, labels, ...(okEachMs && { okEachMs, startedAt: started }) };
}

const loader = fileURLToPath(import.meta.url);
/** Time for a loader process to start (tsx compiles it): a plan's startAt at least this far ahead lets it begin on time. */
export const LOADER_LEAD_MS = 4000;

/** Runs the plan in a loader process of its own; a loader that fails is a report with one label saying why, never a thrown error. */
export async function runLoadProcess(plan: LoadPlan): Promise<LoadReport> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import=tsx', loader, JSON.stringify(plan)], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout) as LoadReport;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!;
    return { seconds: (plan.endAt - plan.startAt) / 1000, okInWindow: 0, labels: { [`loader failed: ${message}`]: { count: 1 } } };
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolvePath(process.argv[1])).href) {
  const report = await runLoad(JSON.parse(process.argv[2]!) as LoadPlan);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
