/** @module A uPlot chart drawn from `data` by one of charts/uplot.ts's functions; uPlot's chunk is fetched the first time one is shown. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type * as Charts from '../charts/uplot.ts';
import { ErrorMessage } from './form.tsx';

/** Draws `data` into `host` with the chart module once loaded; a module-level function, so a new render draws nothing new. */
export type Draw<T> = (charts: typeof Charts, host: HTMLElement, width: number, data: T) => { destroy(): void };

/** The chart's width: its box's, and never under what a 390 px phone leaves it. */
const widthOf = (host: HTMLElement) => Math.max(260, Math.floor(host.clientWidth));

/** `label` names the picture for screen readers; the page beside it gives the same figures as text. */
export function Chart<T>({ label, data, draw }: { label: string; data: T; draw: Draw<T> }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let gone = false;
    import('../charts/uplot.ts').then((charts) => {
      if (!gone && host.current) chart = draw(charts, host.current, widthOf(host.current), data);
    }, setError);
    return () => {
      gone = true;
      chart?.destroy();
    };
  }, [data, draw]);
  return (
    <>
      <ErrorMessage error={error} />
      <div class="chart" ref={host} role="img" aria-label={label} />
    </>
  );
}
