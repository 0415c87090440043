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
