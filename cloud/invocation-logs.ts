/**
 * @module The last invocations of each function of each app, with their console output, kept in memory
 * for the owner to read, within one budget of bytes shared fairly between owners.
 */
import type { ErrorBody } from '../base/errors.ts';
import type { InvocationLog, InvokeResponse } from '../runtime/protocol.ts';
import { capText, MAX_ERROR_MESSAGE_CHARS, MAX_LOG_LINE_CHARS } from '../runtime/text-caps.ts';

/** One invocation as the logs route shows it. */
export interface InvocationLogEntry {
  at: string;
  ok: boolean;
  error?: ErrorBody;
  durationMs: number;
  logs: InvocationLog[];
}

/** An entry with where it is filed and what it costs, so that the oldest of all can be taken out of its function's list. */
interface Kept {
  owner: string;
  appId: string;
  fn: string;
  entry: InvocationLogEntry;
  bytes: number;
}

const KEPT_PER_FUNCTION = 50;
/**
 * Characters of console output kept per invocation: with the error's message (capped on its own), an
 * entry stays under 80 KiB whatever the function printed or threw.
 */
export const KEPT_LOG_CHARS = 64 * 1024;
/**
 * Bytes kept across every app: many apps with many functions, or a few that throw large errors, must not
 * fill the service's memory. The runtime caps text already; the log caps it again, since it is what stays.
 */
export const KEPT_BYTES_IN_ALL = 16 * 1024 * 1024;
/** What an entry costs beyond its JSON text (its objects and the slots that file it), so that even empty entries are bounded. */
const ENTRY_OVERHEAD_BYTES = 512;

function keptLogs(logs: InvocationLog[]): InvocationLog[] {
  let chars = 0;
  const kept: InvocationLog[] = [];
  for (const line of logs) {
    const message = capText(line.message, MAX_LOG_LINE_CHARS);
    if ((chars += message.length) > KEPT_LOG_CHARS) break;
    kept.push(message === line.message ? line : { ...line, message });
  }
  if (kept.length === logs.length) return kept;
  return [...kept, { fn: kept.at(-1)?.fn ?? logs[0]!.fn, level: 'warn', message: `[edgecourier] ${logs.length - kept.length} more log lines were not kept` }];
}

function entryOf(at: string, response: InvokeResponse): InvocationLogEntry {
  const { ok, stats, logs } = response;
  // The function's own code and status are bounded already (runtime/function-error.ts): kept as they are.
  const error = ok ? {} : { error: { ...response.error, message: capText(response.error.message, MAX_ERROR_MESSAGE_CHARS) } };
  return { at, ok, ...error, durationMs: stats.durationMs, logs: keptLogs(logs) };
}

/** What one owner's entries hold. */
interface OwnerShare {
  /** Oldest first: a Set iterates in the order of insertion. */
  entries: Set<Kept>;
  bytes: number;
}

/**
 * A ring of the last invocations per app and function, within one budget of bytes for all of them. Past
 * the budget the owner holding the most bytes loses its oldest entry: one user's flood of calls pushes
 * out its own history, not another user's.
 */
export class InvocationLogBook {
  /** Per app and function, newest first. */
  #apps = new Map<string, Map<string, Kept[]>>();
  #owners = new Map<string, OwnerShare>();
  #bytes = 0;

  add(owner: string, appId: string, fn: string, at: string, response: InvokeResponse): void {
    let functions = this.#apps.get(appId);
    if (!functions) this.#apps.set(appId, (functions = new Map()));
    let entries = functions.get(fn);
    if (!entries) functions.set(fn, (entries = []));
    let share = this.#owners.get(owner);
    if (!share) this.#owners.set(owner, (share = { entries: new Set(), bytes: 0 }));
    const entry = entryOf(at, response);
    const kept: Kept = { owner, appId, fn, entry, bytes: Buffer.byteLength(JSON.stringify(entry)) + ENTRY_OVERHEAD_BYTES };
    entries.unshift(kept);
    share.entries.add(kept);
    share.bytes += kept.bytes;
    this.#bytes += kept.bytes;
    if (entries.length > KEPT_PER_FUNCTION) this.#remove(entries.at(-1)!);
    while (this.#bytes > KEPT_BYTES_IN_ALL) this.#remove(this.#largestShare().entries.values().next().value!);
  }

  /** Newest first. */
  list(appId: string, fn: string): InvocationLogEntry[] {
    return (this.#apps.get(appId)?.get(fn) ?? []).map((kept) => kept.entry);
  }

  drop(appId: string): void {
    for (const entries of this.#apps.get(appId)?.values() ?? []) for (const kept of entries) this.#forget(kept);
    this.#apps.delete(appId);
  }

  #largestShare(): OwnerShare {
    let largest: OwnerShare | undefined;
    for (const share of this.#owners.values()) if (!largest || share.bytes > largest.bytes) largest = share;
    return largest!;
  }

  #forget(kept: Kept): void {
    const share = this.#owners.get(kept.owner)!;
    share.entries.delete(kept);
    share.bytes -= kept.bytes;
    if (share.entries.size === 0) this.#owners.delete(kept.owner);
    this.#bytes -= kept.bytes;
  }

  /** Takes out `kept`, which is the oldest entry of its function. */
  #remove(kept: Kept): void {
    this.#forget(kept);
    const functions = this.#apps.get(kept.appId)!;
    const entries = functions.get(kept.fn)!;
    entries.pop();
    if (entries.length > 0) return;
    functions.delete(kept.fn);
    if (functions.size === 0) this.#apps.delete(kept.appId);
  }
}
