/**
 * @module A Server-Sent Events answer (text/event-stream), as curl -N and the CLI read it: events held until the
 * stream starts, a comment now and then so that proxies keep an idle connection, and an end after the time the
 * client asked for, or as soon as the client reads too slowly, for it to come back with `Last-Event-ID`.
 */
import type { ServerResponse } from 'node:http';

/** A comment this often keeps an idle stream from being cut by a proxy's read timeout (commonly 60 s). */
const KEEP_ALIVE_MS = 15_000;
/** Bytes waiting for a client that does not read: past them the stream ends rather than fill the cloud's memory. */
const MAX_UNREAD_BYTES = 8 * 1024 * 1024;
/** How long a client that lost the stream waits before it connects again, as EventSource reads it. */
const RETRY_MS = 1000;

export interface EventStreamOptions {
  /** The stream ends this long after it starts. */
  lifetimeMs: number;
  /** Called once, when the stream ends for any reason. */
  onEnd: () => void;
}

export class EventStream {
  #res: ServerResponse;
  #options: EventStreamOptions;
  #waiting: string[] | undefined = [];
  #timers: NodeJS.Timeout[] = [];
  #endAtStart = false;

  constructor(res: ServerResponse, options: EventStreamOptions) {
    this.#res = res;
    this.#options = options;
  }

  /** Sends one event, its data as JSON (one line: JSON.stringify escapes every line break); held until start. */
  send(id: string, event: string, data: unknown): void {
    const text = `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    if (this.#waiting) this.#waiting.push(text);
    else this.#write(text);
  }

  /** Ends the stream after the events sent so far; before start, at start, once they are written. */
  end(): void {
    if (this.#waiting) this.#endAtStart = true;
    else this.#res.end();
  }

  /** Writes the head and every event held so far, then keeps the stream open for its lifetime (or ends it, if asked to already). */
  start(): void {
    const waiting = this.#waiting ?? [];
    this.#waiting = undefined;
    // The client may have gone while the stream was being set up: then nobody would say so again.
    if (this.#res.closed || this.#res.destroyed) return this.#options.onEnd();
    this.#res.once('close', () => {
      for (const timer of this.#timers) clearTimeout(timer);
      this.#options.onEnd();
    });
    this.#res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx buffers answers unless told not to: events would come in lumps.
      'x-accel-buffering': 'no',
    });
    this.#res.write(`retry: ${RETRY_MS}\n\n${waiting.join('')}`);
    if (this.#endAtStart) return void this.#res.end();
    this.#timers.push(
      setTimeout(() => this.#res.end(), this.#options.lifetimeMs),
      setInterval(() => this.#write(': keep-alive\n\n'), KEEP_ALIVE_MS),
    );
  }

  #write(text: string): void {
    if (this.#res.writableEnded) return;
    this.#res.write(text);
    if (this.#res.writableLength > MAX_UNREAD_BYTES) this.#res.end();
  }
}
