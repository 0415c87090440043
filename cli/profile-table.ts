/**
 * @module Profiles as a table people read: one line per function version, aligned columns. Shared by every way
 * `edgecourier profile` finds profiles (a cloud app's, a lone courier's state folder).
 */
import type { ProfileSummary } from '../runtime/profiles.ts';
import { table } from './output.ts';

const HEADER = ['FUNCTION', 'VERSION', 'CALLS', 'ERRORS', 'P50 MS', 'P95 MS', 'P99 MS', 'COLD', 'COLD P50', 'PEAK MB', 'IN B', 'OUT B', 'PLACES'];

const ms = (value: number | undefined) => (value === undefined ? '-' : value < 10 ? value.toFixed(2) : value.toFixed(0));
const percent = (share: number) => `${(share * 100).toFixed(share > 0 && share < 0.01 ? 2 : 1)}%`;
const mean = (spread: { mean: number } | undefined) => (spread === undefined ? '-' : String(spread.mean));
const megabytes = (spread: { max: number } | undefined) => (spread === undefined ? '-' : (spread.max / 2 ** 20).toFixed(1));

/** The places a version ran, with their calls: `cloud 12, edge 3`. */
const placesOf = (places: ProfileSummary['places']) =>
  Object.entries(places)
    .filter(([, calls]) => calls > 0)
    .map(([place, calls]) => `${place} ${calls}`)
    .join(', ') || '-';

function cellsOf(profile: ProfileSummary): string[] {
  return [
    profile.function,
    profile.version.slice(0, 12),
    String(profile.calls),
    percent(profile.errorRate),
    ms(profile.durationMs?.p50),
    ms(profile.durationMs?.p95),
    ms(profile.durationMs?.p99),
    percent(profile.coldStart.share),
    ms(profile.coldStart.p50Ms),
    megabytes(profile.peakMemoryBytes),
    mean(profile.inputBytes),
    mean(profile.outputBytes),
    placesOf(profile.places),
  ];
}

/**
 * The table, a header line first; memory is the largest seen, bytes in and out the mean of a call.
 * @example process.stdout.write(profileTable(profiles))
 */
export function profileTable(profiles: readonly ProfileSummary[]): string {
  if (profiles.length === 0) return 'no calls counted yet\n';
  return `${table([HEADER, ...profiles.map(cellsOf)])}\n`;
}
