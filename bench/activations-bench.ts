/**
 * @module Activation records and profiles benchmark: one warm public endpoint of one cloud, its recording turned off
 * and on every few hundred milliseconds while one load runs, each answer counted in the half it arrived in. Both halves share the
 * app, its sandboxes and every moment's state of a busy machine, which separate clouds or separate runs do not: here
 * those differed by more than the 5% to be measured. A second run with recording on in both halves shows how far
 * the measurement itself is from zero. Work that recording leaves for later than the answer's own slice (the profile
 * file's write every 2 s, collecting its garbage) falls in either half, so about half of it is counted as "off".
 */
import type { CloudBenchDeps } from './cloud-bench.ts';
import { cloudWithApp } from './cloud-bench.ts';
import { LOADER_LEAD_MS, runLoadProcess, type LoadReport } from './load.ts';

/**
 * Slices last 150 to 350 ms: long against a call's time under 64 clients (tens of ms), short against the drift of a
 * busy machine, and of random length, so that work the cloud does on a period of its own is not always in one half.
 */
const SLICE_MS = { min: 150, max: 350 };
/** Answers within this time of a switch are not counted: their calls may have begun before it. */
const SETTLE_MS = 60;
const SECONDS = 20;
const WARM_SECONDS = 3;

/**
 * Answers a second in each half: those of the slices in which `setHalf` was last told 0, and those told 1. Undefined
 * when the loader counted nothing (it failed: its report says why).
 */
async function alternate(
  url: string,
  connections: number,
  seconds: number,
  setHalf: (half: 0 | 1) => void,
): Promise<{ rps: [number, number] | undefined; report: LoadReport }> {
  const startAt = Date.now() + LOADER_LEAD_MS;
  const endAt = startAt + seconds * 1000;
  const loading = runLoadProcess({
    url,
    method: 'POST',
    body: JSON.stringify({ input: { text: 'benchmark' } }),
    headers: { 'content-type': 'application/json' },
    connections,
    startAt,
    endAt,
    timeoutMs: 30_000,
    timeline: true,
  });
  // Switched by the clock as this process saw it, each switch kept with when it happened: a late timer moves the switch, not the count.
  let half: 0 | 1 = 0;
  setHalf(half);
  const switches: { at: number; half: 0 | 1 }[] = [{ at: Date.now(), half }];
  let timer: NodeJS.Timeout;
  const next = () => {
    timer = setTimeout(
      () => {
        half = half === 0 ? 1 : 0;
        setHalf(half);
        switches.push({ at: Date.now(), half });
        next();
      },
      SLICE_MS.min + Math.random() * (SLICE_MS.max - SLICE_MS.min),
    );
  };
  next();
  const report = await loading.finally(() => clearTimeout(timer));
  const { okEachMs, startedAt } = report;
  if (!okEachMs || startedAt === undefined) return { rps: undefined, report };
  const answers: [number, number] = [0, 0];
  const countedMs: [number, number] = [0, 0];
  let current = 0;
  // From the loader's first request, which a slow start may put well after startAt.
  okEachMs.forEach((ok, offset) => {
    const at = startedAt + offset;
    while (current + 1 < switches.length && switches[current + 1]!.at <= at) current++;
    const { at: since, half: then } = switches[current]!;
    if (at - since < SETTLE_MS) return;
    answers[then] += ok;
    countedMs[then]++;
  });
  return { rps: [(answers[0] / Math.max(1, countedMs[0])) * 1000, (answers[1] / Math.max(1, countedMs[1])) * 1000], report };
}

const failures = (report: LoadReport) => Object.entries(report.labels).filter(([label]) => !/^2\d\d$/.test(label));

/** What went wrong in a run, for its line: failed calls by label, and answers slow enough to cross a switch unseen. */
function caveats(...reports: LoadReport[]): string {
  const said: string[] = [];
  for (const report of reports) {
    for (const [label, stats] of failures(report)) said.push(`${stats.count} × ${label}`);
    const p99 = report.labels['200']?.p99;
    if (p99 !== undefined && p99 > SETTLE_MS) said.push(`p99 ${Math.round(p99)} ms, longer than the ${SETTLE_MS} ms left out after a switch`);
  }
  return said.length > 0 ? ` (${said.join('; ')})` : '';
}

const percentSlower = ([first, second]: [number, number]) => (((first - second) / first) * 100).toFixed(1);
/** What the slower half spends more on each answer, from the answers a second: at 1 client, a call's own time. */
const microsMore = ([first, second]: [number, number]) => Math.round((1 / second - 1 / first) * 1e6);

export async function benchActivationRecords(deps: CloudBenchDeps): Promise<void> {
  const recording: { on: boolean } = { on: true };
  const { cloud, url } = await cloudWithApp(deps, { recording });
  try {
    for (const connections of [1, 64]) {
      const setHalf = (half: 0 | 1) => (recording.on = half === 1);
      // Warmed in both modes: the untraced path must be as ready as the traced one.
      await alternate(url, connections, WARM_SECONDS, setHalf);
      const measured = await alternate(url, connections, SECONDS, setHalf);
      recording.on = true;
      const same = await alternate(url, connections, SECONDS, () => {});
      const name = `activation records and profiles, warm endpoint call, ${connections} client${connections > 1 ? 's' : ''}`;
      if (!measured.rps || !same.rps) {
        deps.report(`${name}: not measured: the load did not run${caveats(measured.report, same.report)}`);
        continue;
      }
      const [off, on] = measured.rps;
      deps.report(
        `${name}: off ${Math.round(off)} req/s; on ${Math.round(on)} req/s; overhead ${percentSlower(measured.rps)}% of a call, ${microsMore(measured.rps)} µs (target <= 5%); the same measurement with recording on in both halves: ${percentSlower(same.rps)}%${caveats(measured.report, same.report)}`,
      );
    }
  } finally {
    recording.on = true;
    await cloud.close();
  }
}
