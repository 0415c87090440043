/**
 * @module A load generator run as its own process (so its work is not the cloud's): `connections` callers
 * each sending requests one after another over a kept-alive connection between two wall-clock times, every
 * answer counted by status and error code with its latency. Prints one JSON LoadReport on stdout.
 * Usage: node --import=tsx bench/load.ts '<LoadPlan as JSON>'
 */
import { Agent, request } from 'node:http';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
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
}

export interface LabelStats {
  count: number;
  p50: number;
  p99: number;
}

export interface LoadReport {
  /** Seconds from the first request to the end of the window. */
  seconds: number;
  /** 2xx answers that arrived within the window. */
  okInWindow: number;
  /** Every answer or failure by label: "200", "429 BUSY", "504 TIMEOUT", "no answer", "error ECONNRESET". */
  labels: Record<string, LabelStats>;
}

/** The label of an answer: its status, and for a failure the error code its JSON body gives. */
function label(status: number, text: string): string {
  if (status >= 200 && status < 300) return String(status);
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? `${status} ${code}` : String(status);
  } catch {
    return String(status);
  }
}

function send(plan: LoadPlan, agent: Agent): Promise<string> {
  return new Promise((resolve) => {
    const req = request(plan.url, { method: plan.method, agent, headers: { ...plan.headers, ...(plan.body ? { 'content-length': Buffer.byteLength(plan.body) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(label(res.statusCode ?? 0, text)));
      res.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.message}`));
    });
    req.setTimeout(plan.timeoutMs, () => {
      req.destroy();
      resolve('no answer');
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.message}`));
    req.end(plan.body);
  });
}

export async function runLoad(plan: LoadPlan): Promise<LoadReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: plan.connections });
  const latencies = new Map<string, number[]>();
  let okInWindow = 0;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, plan.startAt - Date.now())));
  const started = Date.now();
  const caller = async () => {
    while (Date.now() < plan.endAt) {
      const sent = performance.now();
      const answer = await send(plan, agent);
      const elapsed = performance.now() - sent;
      if (answer.startsWith('2') && Date.now() <= plan.endAt) okInWindow++;
      const samples = latencies.get(answer) ?? [];
      samples.push(elapsed);
      latencies.set(answer, samples);
      // A refused connection answers at once: without a pause the caller would spin on it.
      if (answer.startsWith('error')) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await Promise.all(Array.from({ length: plan.connections }, caller));
  agent.destroy();
  const labels: Record<string, LabelStats> = {};
  for (const [name, samples] of latencies) labels[name] = { count: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99) };
  return { seconds: Math.max(0.001, (plan.endAt - started) / 1000), okInWindow, labels };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolvePath(process.argv[1])).href) {
  const report = await runLoad(JSON.parse(process.argv[2]!) as LoadPlan);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
