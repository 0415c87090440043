/**
 * @module The chart library (uPlot) behind one function: imported dynamically, so it is a chunk of its own, fetched
 * when a profile page opens and never on first load.
 */
import uPlot from 'uplot';

export interface VersionSeries {
  /** The versions' names, oldest first: the x axis. */
  versions: string[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  calls: number[];
}

/** Draws the percentiles (ms, left axis) and calls (right axis) of a function's versions into `host`; returns the chart to destroy. */
export function drawProfileChart(host: HTMLElement, width: number, data: VersionSeries): { destroy(): void } {
  const line = (label: string, stroke: string, scale = 'ms') => ({ label, stroke, scale, width: 2, points: { show: true, size: 7 } });
  return new uPlot(
    {
      width,
      height: 220,
      scales: { x: { time: false } },
      series: [
        { label: 'Version', value: (_u: uPlot, index: number) => data.versions[index] ?? '' },
        line('p50 ms', '#1f4fbf'),
        line('p95 ms', '#c77700'),
        line('p99 ms', '#8f1414'),
        { ...line('calls', '#14622d', 'calls'), dash: [4, 4] },
      ],
      axes: [
        { values: (_u: uPlot, splits: number[]) => splits.map((at) => (Number.isInteger(at) ? (data.versions[at] ?? '') : '')) },
        { scale: 'ms', label: 'ms' },
        { scale: 'calls', label: 'calls', side: 1, grid: { show: false } },
      ],
    },
    [data.versions.map((_, index) => index), data.p50, data.p95, data.p99, data.calls],
    host,
  );
}

/** Recent calls of one function, oldest first: when each began and how long it took, in one series or the other by how it ended. */
export interface DurationSeries {
  /** When each began, in seconds since 1970 (uPlot's time axis): the x axis. */
  times: number[];
  /** The duration in ms of each call that succeeded, null where that call failed. */
  ok: (number | null)[];
  /** The duration in ms of each call that failed, null where that call succeeded. */
  failed: (number | null)[];
}

/** The time axis's span, in seconds, around calls from `min` to `max`. */
function padded(min: number, max: number): [number, number] {
  const pad = min === max ? 30 : Math.max(1, (max - min) * 0.05);
  return [min - pad, max + pad];
}

/** Draws each recent call's duration (ms) against the time it began, as points, into `host`; returns the chart to destroy. */
export function drawDurationChart(host: HTMLElement, width: number, data: DurationSeries): { destroy(): void } {
  // Points only: a line would suggest durations between calls that nobody made.
  const dots = (label: string, stroke: string) => ({ label, stroke, fill: stroke, paths: () => null, points: { show: true, size: 7 } });
  return new uPlot(
    {
      width,
      height: 200,
      // From the calls themselves, padded so no point sits on the edge: uPlot gives a lone point 1000 days.
      scales: { x: { time: true, range: () => padded(data.times[0] ?? 0, data.times.at(-1) ?? 0) } },
      series: [{ label: 'Began' }, dots('ok ms', '#1f4fbf'), dots('failed ms', '#8f1414')],
      axes: [{ label: 'time' }, { label: 'ms' }],
    },
    [data.times, data.ok, data.failed],
    host,
  );
}
