/**
 * @module One function's recent calls: each one's duration against the time it began, as a chart and, for those who
 * read rather than look, a summary and a table; from its last activation records (GET /apps/:appId/activations).
 */
import { useMemo } from 'preact/hooks';
import type { Activation, ActivationPage } from '../../api/activations.ts';
import { request } from '../api.ts';
import type { DurationSeries } from '../charts/uplot.ts';
import { Chart, type Draw } from './chart.tsx';
import { ErrorMessage } from './form.tsx';
import { useLoad } from './use-load.ts';

/** The calls plotted per function: enough to see a trend, few enough for one page of records and a readable table. */
const RECENT_CALLS = 50;

const drawDurations: Draw<DurationSeries> = (charts, host, width, data) => charts.drawDurationChart(host, width, data);
const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);
const clock = (iso: string) => new Date(iso).toLocaleTimeString();

function seriesOf(calls: Activation[]): DurationSeries {
  return {
    times: calls.map((call) => Date.parse(call.start) / 1000),
    ok: calls.map((call) => (call.outcome === 'ok' ? call.durationMs : null)),
    failed: calls.map((call) => (call.outcome === 'ok' ? null : call.durationMs)),
  };
}

/** What the chart shows, in a sentence: the span, the median, the slowest call and how many failed. */
function summaryOf(calls: Activation[]): string {
  const durations = calls.map((call) => call.durationMs).sort((a, b) => a - b);
  const median = durations[Math.floor((durations.length - 1) / 2)]!;
  const slowest = calls.reduce((worst, call) => (call.durationMs > worst.durationMs ? call : worst));
  const failed = calls.filter((call) => call.outcome !== 'ok').length;
  const span = calls.length === 1 ? `at ${clock(calls[0]!.start)}` : `from ${clock(calls[0]!.start)} to ${clock(calls.at(-1)!.start)}`;
  return (
    `The last ${calls.length === 1 ? 'call' : `${calls.length} calls`}, ${span}: median ${ms(median)} ms, ` +
    `slowest ${ms(slowest.durationMs)} ms at ${clock(slowest.start)}, ${failed} failed.`
  );
}

export function RecentDurations({ appId, fn }: { appId: string; fn: string }) {
  const loaded = useLoad(
    () => request<ActivationPage>('GET', `/apps/${encodeURIComponent(appId)}/activations?function=${encodeURIComponent(fn)}&limit=${RECENT_CALLS}`),
    [appId, fn],
  );
  // The records come newest first by the time they ended; the chart reads left to right by the time each began.
  const calls = useMemo(() => loaded.value && [...loaded.value.activations].sort((a, b) => a.start.localeCompare(b.start)), [loaded.value]);
  const series = useMemo(() => calls && seriesOf(calls), [calls]);
  if (loaded.error !== undefined) return <ErrorMessage error={loaded.error} />;
  if (!calls || !series) return <p class="muted">Loading the recent calls…</p>;
  if (calls.length === 0) return <p class="muted">No call of {fn} is recorded yet.</p>;
  return (
    <div class="recent-durations">
      <h4>Duration over time</h4>
      <Chart label={`Duration of the last calls of ${fn} over time`} data={series} draw={drawDurations} />
      <p>{summaryOf(calls)}</p>
      <details>
        <summary>The calls as a table</summary>
        <div class="table-box">
          <table aria-label={`Recent calls of ${fn}`}>
            <thead>
              <tr>
                <th scope="col">Began</th>
                <th scope="col">ms</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {calls.map((call) => (
                <tr key={call.id}>
                  <th scope="row">{clock(call.start)}</th>
                  <td>{ms(call.durationMs)}</td>
                  <td>{call.outcome}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
