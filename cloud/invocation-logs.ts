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

const KEPT_PER_FUNCTION = 50;
/** Characters of console output kept per invocation: a chatty function must not fill the service's memory with 50 copies. */
const KEPT_LOG_CHARS = 64 * 1024;

function keptLogs(logs: InvocationLog[]): InvocationLog[] {
  let chars = 0;
  const kept = logs.filter((line) => (chars += line.message.length) <= KEPT_LOG_CHARS);
  if (kept.length === logs.length) return logs;
  return [...kept, { fn: kept.at(-1)?.fn ?? logs[0]!.fn, level: 'warn', message: `[edgecourier] ${logs.length - kept.length} more log lines were not kept` }];
}

/** A ring of the last invocations per app and function. */
export class InvocationLogBook {
  #apps = new Map<string, Map<string, InvocationLogEntry[]>>();

  add(appId: string, fn: string, at: string, response: InvokeResponse): void {
    let functions = this.#apps.get(appId);
    if (!functions) this.#apps.set(appId, (functions = new Map()));
    let entries = functions.get(fn);
    if (!entries) functions.set(fn, (entries = []));
    const { ok, stats, logs } = response;
    entries.unshift({ at, ok, ...(ok ? {} : { error: response.error }), durationMs: stats.durationMs, logs: keptLogs(logs) });
    if (entries.length > KEPT_PER_FUNCTION) entries.length = KEPT_PER_FUNCTION;
  }

  /** Newest first. */
  list(appId: string, fn: string): InvocationLogEntry[] {
    return [...(this.#apps.get(appId)?.get(fn) ?? [])];
  }

  drop(appId: string): void {
    this.#apps.delete(appId);
  }
}
