/** @module The last invocations of each function of each app, with their console output, kept in memory for the owner to read. */
import type { ErrorBody } from '../runtime/errors.ts';
import type { InvocationLog, InvokeResponse } from '../runtime/protocol.ts';

/** One invocation as the logs route shows it. */
export interface InvocationLogEntry {
  at: string;
  ok: boolean;
  error?: ErrorBody;
  durationMs: number;
  logs: InvocationLog[];
}

/** An entry with where it is filed, so that the oldest of all can be taken out of its function's list. */
interface Kept {
  appId: string;
  fn: string;
  entry: InvocationLogEntry;
}

const KEPT_PER_FUNCTION = 50;
/** Entries kept across every app: many apps with many functions must not fill the service's memory either. */
const KEPT_IN_ALL = 2000;
/** Characters of console output kept per invocation: a chatty function must not fill the service's memory with 50 copies. */
const KEPT_LOG_CHARS = 64 * 1024;

function keptLogs(logs: InvocationLog[]): InvocationLog[] {
  let chars = 0;
  const kept = logs.filter((line) => (chars += line.message.length) <= KEPT_LOG_CHARS);
  if (kept.length === logs.length) return logs;
  return [...kept, { fn: kept.at(-1)?.fn ?? logs[0]!.fn, level: 'warn', message: `[edgecourier] ${logs.length - kept.length} more log lines were not kept` }];
}

/** A ring of the last invocations per app and function, within one budget for all of them. */
export class InvocationLogBook {
  /** Per app and function, newest first. */
  #apps = new Map<string, Map<string, Kept[]>>();
  /** Every entry, oldest first: a Set iterates in the order of insertion. */
  #all = new Set<Kept>();

  add(appId: string, fn: string, at: string, response: InvokeResponse): void {
    let functions = this.#apps.get(appId);
    if (!functions) this.#apps.set(appId, (functions = new Map()));
    let entries = functions.get(fn);
    if (!entries) functions.set(fn, (entries = []));
    const { ok, stats, logs } = response;
    const kept: Kept = { appId, fn, entry: { at, ok, ...(ok ? {} : { error: response.error }), durationMs: stats.durationMs, logs: keptLogs(logs) } };
    entries.unshift(kept);
    this.#all.add(kept);
    if (entries.length > KEPT_PER_FUNCTION) this.#remove(entries.at(-1)!);
    if (this.#all.size > KEPT_IN_ALL) this.#remove(this.#all.values().next().value!);
  }

  /** Newest first. */
  list(appId: string, fn: string): InvocationLogEntry[] {
    return (this.#apps.get(appId)?.get(fn) ?? []).map((kept) => kept.entry);
  }

  drop(appId: string): void {
    for (const entries of this.#apps.get(appId)?.values() ?? []) for (const kept of entries) this.#all.delete(kept);
    this.#apps.delete(appId);
  }

  /** Takes out `kept`, which is the oldest entry of its function. */
  #remove(kept: Kept): void {
    this.#all.delete(kept);
    const functions = this.#apps.get(kept.appId)!;
    const entries = functions.get(kept.fn)!;
    entries.pop();
    if (entries.length > 0) return;
    functions.delete(kept.fn);
    if (functions.size === 0) this.#apps.delete(kept.appId);
  }
}
