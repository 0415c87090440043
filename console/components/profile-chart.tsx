/** @module A chart of one function's versions: p50, p95 and p99 durations and calls; uPlot's chunk is fetched the first time one is shown. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { VersionSeries } from '../charts/uplot.ts';
import { ErrorMessage } from './form.tsx';

/** The chart's width: its box's, and never under what a 390 px phone leaves it. */
const widthOf = (host: HTMLElement) => Math.max(260, Math.floor(host.clientWidth));

export function ProfileChart({ label, data }: { label: string; data: VersionSeries }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let gone = false;
    import('../charts/uplot.ts').then(({ drawProfileChart }) => {
      if (!gone && host.current) chart = drawProfileChart(host.current, widthOf(host.current), data);
    }, setError);
    return () => {
      gone = true;
      chart?.destroy();
    };
  }, [data]);
  return (
    <>
      <ErrorMessage error={error} />
      {/* A picture of the figures the table beside it lists, for those who read them. */}
      <div class="chart" ref={host} role="img" aria-label={label} />
    </>
  );
}
