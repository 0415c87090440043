/** @module Reads metrics as an operator's scraper does: one sample's value out of Prometheus text. */

/** One sample's value in Prometheus text, e.g. sample(text, 'edgecourier_invocations_total{outcome="ok"}'); NaN when absent. */
export function sample(text: string, series: string): number {
  return Number(
    text
      .split('\n')
      .find((line) => line.startsWith(`${series} `))
      ?.slice(series.length + 1),
  );
}
