/**
 * @module One invocation's activations in the making: its id, known before it runs, the calls of its tree as the
 * invoker tells of them, and at its end the records of the tree, every text a function controls capped.
 */
import { newActivationId } from '../../api/activation-ids.ts';
import type { Activation, ActivationLog, ActivationTrigger } from '../../api/activations.ts';
import type { ErrorBody } from '../../base/errors.ts';
import type { CallTrace } from '../../runtime/call-trace.ts';
import { capText, MAX_ERROR_MESSAGE_CHARS, MAX_LOG_LINE_CHARS } from '../../runtime/text-caps.ts';

/** An activation before the store gives it its place in the order. */
export type NewActivation = Omit<Activation, 'seq'>;

/**
 * Characters of console output kept per activation: with the error's message (capped on its own), a record stays
 * under 80 KiB whatever the function printed or threw.
 */
export const KEPT_LOG_CHARS = 64 * 1024;

/**
 * Calls of one tree recorded, the top one included: a fan-out of a million cache hits must not write a million
 * records for one request. Those past it are counted on the top record.
 */
export const MAX_RECORDS_PER_TREE = 1000;

function keptLogs(logs: readonly ActivationLog[]): ActivationLog[] {
  if (logs.length === 0) return [];
  let chars = 0;
  const kept: ActivationLog[] = [];
  for (const line of logs) {
    const message = capText(line.message, MAX_LOG_LINE_CHARS);
    if ((chars += message.length) > KEPT_LOG_CHARS) break;
    kept.push({ level: line.level, message });
  }
  if (kept.length === logs.length) return kept;
  return [...kept, { level: 'warn', message: `[edgecourier] ${logs.length - kept.length} more log lines were not kept` }];
}

/** The function's own code and status are bounded already (runtime/function-error.ts): kept as they are. */
const keptError = (error: ErrorBody): ErrorBody => ({ ...error, message: capText(error.message, MAX_ERROR_MESSAGE_CHARS) });

const iso = (ms: number) => new Date(ms).toISOString();

/** Where an invocation comes from, for its records. */
export interface ActivationOrigin {
  appId: string;
  /** The app version (its tree hash) the call tree ran on; absent for an app record made before there were versions. */
  appVersion?: string;
  trigger: Exclude<ActivationTrigger, 'call'>;
  /** The user id of the caller, or `anonymous`. */
  caller: string;
}

/** What one call's record is made of. */
interface Call {
  fn: string;
  version: string | undefined;
  startedAt: number;
  durationMs: number;
  error: ErrorBody | undefined;
  source: CallTrace['source'];
  /** The caller's activation id, for a nested call. */
  parent?: string;
  children: string[];
  callsNotRecorded?: number;
  logs: readonly ActivationLog[];
}

/** The ids of a tree's calls, handed out as asked, and each call's children in the order they began. */
interface TreeIds {
  idOf(index: number): string;
  childrenOf(index: number): string[];
}

/**
 * Collects one invocation's calls while it runs; `records` makes them activations once it has answered.
 * @example const tracker = new ActivationTracker(origin); … service.invoke(load, request, { onCall: (trace) => tracker.observe(trace) }); store.add(owner, () => tracker.records(fn, error))
 */
export class ActivationTracker {
  /** The top activation's id, the one its caller is given. */
  readonly id = newActivationId();
  #origin: ActivationOrigin;
  #startedAt = Date.now();
  #started = performance.now();
  #traces: CallTrace[] = [];
  #notRecorded = 0;

  constructor(origin: ActivationOrigin) {
    this.#origin = origin;
  }

  /** One call of the tree as it ended (InvokeOptions.onCall). Calls begin in the order of their indexes, so a kept call's caller is always kept too. */
  observe(trace: CallTrace): void {
    if (trace.index < MAX_RECORDS_PER_TREE) this.#traces.push(trace);
    else this.#notRecorded++;
  }

  /**
   * The tree's activations in the order their calls ended, the top one last. The top one is told by the error of the
   * answer its caller got, if it failed (which may be before any call began); each nested one by its trace. The error,
   * not the whole answer: records wait a moment to be made (store.ts), and outputs can be large.
   */
  records(fn: string, error: ErrorBody | undefined): NewActivation[] {
    const top = this.#traces.find((trace) => trace.index === 0);
    // Made for every invocation: most trees are their top call alone, which needs no ids handed out or children listed.
    const tree = this.#traces.length > (top ? 1 : 0) ? this.#treeIds() : undefined;
    const records: NewActivation[] = [];
    if (tree) {
      for (const trace of this.#traces) {
        if (trace.index === 0) continue;
        const { fn, version, startedAt, durationMs, error, source, logs } = trace;
        const parent = tree.idOf(trace.parent!);
        records.push(
          this.#record(tree.idOf(trace.index), 'call', {
            fn,
            version,
            startedAt,
            durationMs,
            error,
            source,
            parent,
            children: tree.childrenOf(trace.index),
            logs,
          }),
        );
      }
    }
    records.push(
      this.#record(this.id, this.#origin.trigger, {
        fn,
        version: top?.version,
        startedAt: this.#startedAt,
        // The caller's wait: loading and installing the app count, as they did for the caller.
        durationMs: Math.round((performance.now() - this.#started) * 1000) / 1000,
        error,
        source: top?.source,
        children: tree?.childrenOf(0) ?? [],
        ...(this.#notRecorded > 0 && { callsNotRecorded: this.#notRecorded }),
        logs: top?.logs ?? [],
      }),
    );
    return records;
  }

  /** Fields absent when there is nothing to say, and in the order the stored form has always had them, the long logs last. */
  #record(id: string, trigger: ActivationTrigger, call: Call): NewActivation {
    const { appId, appVersion, caller } = this.#origin;
    const record: Partial<NewActivation> = { id, appId, function: call.fn };
    if (call.version) record.version = call.version;
    if (appVersion) record.appVersion = appVersion;
    record.trigger = trigger;
    record.caller = caller;
    record.start = iso(call.startedAt);
    record.durationMs = call.durationMs;
    record.outcome = call.error?.code ?? 'ok';
    if (call.error) record.error = keptError(call.error);
    if (call.source) record.served = call.source;
    if (call.parent !== undefined) record.parent = call.parent;
    record.children = call.children;
    if (call.callsNotRecorded !== undefined) record.callsNotRecorded = call.callsNotRecorded;
    record.logs = keptLogs(call.logs);
    return record as NewActivation;
  }

  #treeIds(): TreeIds {
    const ids = new Map<number, string>([[0, this.id]]);
    // A call a function made without awaiting it may end after its caller, even after the tree: its caller still gets an id.
    const idOf = (index: number) => ids.get(index) ?? ids.set(index, newActivationId()).get(index)!;
    const children = new Map<number, string[]>();
    for (const trace of [...this.#traces].sort((a, b) => a.index - b.index)) {
      if (trace.parent === undefined) continue;
      const siblings = children.get(trace.parent) ?? [];
      siblings.push(idOf(trace.index));
      children.set(trace.parent, siblings);
    }
    return { idOf, childrenOf: (index) => children.get(index) ?? [] };
  }
}
