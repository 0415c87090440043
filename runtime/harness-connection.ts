/** @module The host's end of one harness: line-delimited JSON over a Unix socket, with invocations matched to results. */
import type { Socket } from 'node:net';
import { EdgeError, type ErrorBody } from './errors.ts';
import { harnessMessageSchema, type CallResult, type HostMessage, type InvokeMessage, type LogEntry } from './protocol.ts';
import type { CallHandler } from './executor.ts';

const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Grace beyond the harness's own timer before the host gives up on a silent sandbox. */
const BACKSTOP_MS = 3000;

export interface HarnessOutcome {
  result: CallResult;
  logs: LogEntry[];
  tainted: boolean;
  /** Size of the result line: what the call tree's output budget is charged. */
  bytes: number;
}

interface Pending {
  resolve: (outcome: HarnessOutcome) => void;
  onCall: CallHandler;
  timer: NodeJS.Timeout;
}

/** Why the sandbox behind a connection ended, for the calls it was running. */
export type ExitReason = () => Promise<ErrorBody>;

export class HarnessConnection {
  #socket: Socket;
  #pending = new Map<string, Pending>();
  /** The incomplete line so far, in pieces: joining them only once a newline arrives keeps long lines linear. */
  #pieces: string[] = [];
  #pieceBytes = 0;
  #closed = false;
  #onClose: Array<() => void> = [];
  #onTainted: Array<() => void> = [];
  #exitReason: ExitReason;

  constructor(socket: Socket, exitReason: ExitReason) {
    this.#socket = socket;
    this.#exitReason = exitReason;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#receive(chunk));
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

  invoke(message: InvokeMessage, onCall: CallHandler): Promise<HarnessOutcome> {
    if (this.#closed) return Promise.resolve(this.#failed({ code: 'SANDBOX_FAILED', message: 'the sandbox has already ended' }));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#settle(message.id, this.#failed({ code: 'TIMEOUT', message: `${message.fn} did not finish within ${message.timeoutMs} ms; its sandbox stopped answering and was ended` }));
        this.#socket.destroy();
      }, message.timeoutMs + BACKSTOP_MS);
      this.#pending.set(message.id, { resolve, onCall, timer });
      this.#send(message);
    });
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
    this.#socket.write(JSON.stringify(message) + '\n');
  }

  #settle(id: string, outcome: HarnessOutcome): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  #receive(chunk: string): void {
    let start = 0;
    let newline: number;
    while ((newline = chunk.indexOf('\n', start)) !== -1) {
      this.#pieces.push(chunk.slice(start, newline));
      const line = this.#pieces.join('');
      this.#pieces = [];
      this.#pieceBytes = 0;
      start = newline + 1;
      if (line) this.#handle(line);
      if (this.#socket.destroyed) return;
    }
    if (start < chunk.length) {
      this.#pieces.push(chunk.slice(start));
      this.#pieceBytes += chunk.length - start;
      if (this.#pieceBytes > MAX_LINE_BYTES) this.#socket.destroy();
    }
  }

  #handle(line: string): void {
    let parsed;
    try {
      parsed = harnessMessageSchema.safeParse(JSON.parse(line));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      this.#socket.destroy();
      return;
    }
    const message = parsed.data;
    if (message.t === 'tainted') {
      for (const listener of this.#onTainted) listener();
    } else if (message.t === 'result') {
      const outcome = { result: message.result as CallResult, logs: message.logs, tainted: message.tainted ?? false, bytes: line.length };
      this.#settle(message.id, outcome);
    } else if (message.t === 'call') {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      void pending
        .onCall(message.fn, message.input)
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

/** Waits for the harness that was just started to connect and say it is ready. */
export function awaitReady(socket: Socket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new EdgeError('SANDBOX_FAILED', `the sandbox did not start within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const newline = seen.indexOf('\n');
      if (newline === -1) return;
      cleanup();
      if (seen.slice(0, newline) !== '{"t":"ready"}' || seen.length > newline + 1) fail(new EdgeError('SANDBOX_FAILED', 'the sandbox spoke out of turn'));
      else resolve();
    };
    const onClose = () => fail(new EdgeError('SANDBOX_FAILED', 'the sandbox closed its connection before it was ready'));
    function cleanup() {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
    }
    function fail(error: Error) {
      cleanup();
      socket.destroy();
      reject(error);
    }
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}
