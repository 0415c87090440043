/**
 * @module Profiles of function versions as a table for a person to read, one row per version: the same table for
 * a courier's folder apps (`profile --root`) and for a cloud app's profiles.
 */
import type { ProfileSummary } from '../runtime/profiles.ts';

const COLUMNS = ['function', 'version', 'calls', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'cold', 'cold p50', 'peak MB', 'in B', 'out B', 'places'];

/** Milliseconds with about three significant digits: 0.42, 3.14, 27.5, 1204. */
function ms(value: number | undefined): string {
  if (value === undefined) return '-';
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return String(Math.round(value));
}

const percent = (share: number) => `${(share * 100).toFixed(share === 0 || share === 1 ? 0 : 1)}%`;

function row(p: ProfileSummary): string[] {
  const places = Object.entries(p.places)
    .filter(([, calls]) => calls > 0)
    .map(([place, calls]) => `${place} ${calls}`)
    .join(', ');
  return [
    p.function,
    p.version.slice(0, 12),
    String(p.calls),
    percent(p.errorRate),
    ms(p.durationMs?.p50),
    ms(p.durationMs?.p95),
    ms(p.durationMs?.p99),
    percent(p.coldStart.share),
    ms(p.coldStart.p50Ms),
    p.peakMemoryBytes ? (p.peakMemoryBytes.max / (1024 * 1024)).toFixed(1) : '-',
    p.inputBytes ? String(p.inputBytes.mean) : '-',
    p.outputBytes ? String(p.outputBytes.mean) : '-',
    places,
  ];
}

/**
 * The profiles as aligned columns under a header: durations are of the calls whose body ran, "cold" is the share of
 * those that had to prepare a sandbox first, in and out bytes are means, peak memory the largest seen.
 * @example process.stdout.write(profileTable(book.summaries()) + '\n')
 */
export function profileTable(profiles: readonly ProfileSummary[]): string {
  const rows = [COLUMNS, ...profiles.map(row)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((cells) => cells[i]!.length)));
  // Text columns to the left, numbers to the right, so digits line up.
  const left = new Set([0, 1, COLUMNS.length - 1]);
  return rows
    .map((cells) =>
      cells
        .map((cell, i) => (left.has(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
