/** @module The host's end of one harness: line-delimited JSON over a Unix socket, with invocations matched to results. */
import type { Socket } from 'node:net';
import type { ErrorBody } from '../base/errors.ts';
import { LineReader } from './line-reader.ts';
import { encodeHostMessage, parseHarnessLine, type CallResult, type HostMessage, type InvokeMessage, type LogEntry } from './protocol.ts';

const MAX_LINE_BYTES = 16 * 1024 * 1024;
const TAB = 0x09;
/** What the harness wraps an output in (`{"ok":true,"output":` and `}`): taken off to count the output's own JSON. */
const RESULT_ENVELOPE_BYTES = JSON.stringify({ ok: true, output: null }).length - 'null'.length;
/**
 * The harness answers every call within its start bound (30 s) plus the function's own time plus a second:
 * a call still pending after this much more makes the host ask whether the sandbox is alive.
 */
const OVERDUE_MS = 35_000;
/** A sandbox that then stays silent this long, pings and all, is hung and ended. A busy one that answers is left alone. */
const SILENT_MS = 30_000;

/** Answers a `ctx.call` the harness relayed, made by the invocation `parent`. */
export type HarnessCallHandler = (fn: string, input: unknown, parent: string) => Promise<CallResult>;

export interface HarnessOutcome {
  result: CallResult;
  logs: LogEntry[];
  tainted: boolean;
  /** Size of the result line: what the call tree's output budget is charged. */
  bytes: number;
  /** For a call that answered: the size of its output's JSON, in bytes. */
  outputBytes?: number;
  /** The memory of the thread that ran it, as the harness reported it. */
  memoryBytes?: number;
}

interface Pending {
  resolve: (outcome: HarnessOutcome) => void;
  onCall: HarnessCallHandler;
  timer: NodeJS.Timeout;
}

/** Why the sandbox behind a connection ended, for the calls it was running. */
export type ExitReason = () => Promise<ErrorBody>;

export class HarnessConnection {
  #socket: Socket;
  #pending = new Map<string, Pending>();
  #reader: LineReader;
  /** When the harness last sent anything: any line shows it is alive. */
  #lastHeard = performance.now();
  /** When the ping not yet answered by anything was sent. */
  #pingSentAt: number | undefined;
  #closed = false;
  #onClose: Array<() => void> = [];
  #onTainted: Array<() => void> = [];
  #exitReason: ExitReason;

  constructor(socket: Socket, exitReason: ExitReason) {
    this.#socket = socket;
    this.#exitReason = exitReason;
    this.#reader = new LineReader(
      MAX_LINE_BYTES,
      (line) => this.#handle(line),
      () => socket.destroy(),
    );
    socket.on('data', (chunk: Buffer) => {
      this.#lastHeard = performance.now();
      this.#reader.push(chunk);
    });
    socket.on('close', () => void this.#close());
    socket.on('error', () => socket.destroy());
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#onClose.push(listener);
  }

  /** Called when the harness reports that a finished call left processes behind. */
  onTainted(listener: () => void): void {
    this.#onTainted.push(listener);
  }

  invoke(message: InvokeMessage, onCall: HarnessCallHandler): Promise<HarnessOutcome> {
    if (this.#closed) return Promise.resolve(this.#failed({ code: 'SANDBOX_FAILED', message: 'the sandbox has already ended' }));
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#overdue(message.id), message.timeoutMs + OVERDUE_MS);
      this.#pending.set(message.id, { resolve, onCall, timer });
      this.#send(message);
    });
  }

  /**
   * A call the harness should have answered by now: a sandbox that still talks is only slow (a loaded
   * machine) and keeps its calls; one silent since before a ping is hung, and ending it fails its calls.
   */
  #overdue(id: string): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    const now = performance.now();
    const unanswered = this.#pingSentAt !== undefined && this.#lastHeard < this.#pingSentAt;
    if (unanswered && now - this.#pingSentAt! >= SILENT_MS) {
      this.#socket.destroy();
      return;
    }
    if (!unanswered) {
      this.#pingSentAt = now;
      this.#send({ t: 'ping' });
    }
    pending.timer = setTimeout(() => this.#overdue(id), SILENT_MS);
  }

  /** Gives the harness its app's environment; sent before the app's first call. */
  setEnv(env: Readonly<Record<string, string>>): void {
    this.#send({ t: 'env', env: { ...env } });
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #failed(error: ErrorBody): HarnessOutcome {
    return { result: { ok: false, error }, logs: [], tainted: true, bytes: 0 };
  }

  #send(message: HostMessage): void {
    if (this.#closed) return;
    // Messages sent in one tick go out in one write: a backlog's calls cost one wake-up of the sandbox, not one each.
    if (this.#socket.writableCorked === 0) {
      this.#socket.cork();
      process.nextTick(() => this.#socket.uncork());
    }
    this.#socket.write(encodeHostMessage(message) + '\n');
  }

  #settle(id: string, outcome: HarnessOutcome): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  #handle(bytes: Buffer): void {
    const line = bytes.toString('utf8');
    const message = parseHarnessLine(line);
    if (!message) {
      this.#reader.stop();
      this.#socket.destroy();
      return;
    }
    if (message.t === 'pong') return;
    if (message.t === 'tainted') {
      for (const listener of this.#onTainted) listener();
    } else if (message.t === 'result') {
      this.#settle(message.id, {
        result: message.result,
        logs: message.logs,
        tainted: message.tainted ?? false,
        bytes: bytes.length,
        // The payload follows the first tab (framing.ts): its bytes counted without decoding it again.
        ...(message.result.ok && { outputBytes: Math.max(0, bytes.length - bytes.indexOf(TAB) - 1 - RESULT_ENVELOPE_BYTES) }),
        ...(message.memoryBytes !== undefined && { memoryBytes: message.memoryBytes }),
      });
    } else if (message.t === 'call') {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      if (message.malformed) {
        const result: CallResult = {
          ok: false,
          error: { code: 'INVALID_INPUT', message: `ctx.call('${message.fn}') sent an input that is not one JSON value` },
        };
        this.#send({ t: 'call-result', id: message.id, callId: message.callId, result });
        return;
      }
      void pending
        .onCall(message.fn, message.input, message.id)
        .catch((): CallResult => ({ ok: false, error: { code: 'INTERNAL_ERROR', message: `ctx.call('${message.fn}') failed unexpectedly` } }))
        .then((result) => this.#send({ t: 'call-result', id: message.id, callId: message.callId, result }));
    }
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pending.size > 0) {
      const reason = await this.#exitReason().catch((): ErrorBody => ({ code: 'SANDBOX_FAILED', message: 'the sandbox ended unexpectedly' }));
      for (const id of [...this.#pending.keys()]) this.#settle(id, this.#failed(reason));
    }
    for (const listener of this.#onClose.splice(0)) listener();
  }
}
