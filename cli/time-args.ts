/** @module Time options of the CLI (`--since`): a time, or how long ago, refused with a clear message when it is neither. */
import { EdgeError } from '../base/errors.ts';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `value` as an ISO 8601 time: `30s`, `10m`, `2h` and `1d` are that long before `now`; anything else is read as a
 * date or time (`2025-01-31`, `2025-01-31T12:00:00Z`).
 * @example timeArg('--since', '10m') // '2025-01-31T11:50:00.000Z' at noon
 */
export function timeArg(option: string, value: string, now = Date.now()): string {
  const ago = /^(\d+)([smhd])$/.exec(value);
  const ms = ago ? now - Number(ago[1]) * UNIT_MS[ago[2]!]! : Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new EdgeError('INVALID_INPUT', `${option} takes a time (2025-01-31T12:00:00Z) or how long ago (30s, 10m, 2h, 1d), not "${value}"`);
  }
  return new Date(ms).toISOString();
}
