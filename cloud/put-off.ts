/**
 * @module Bookkeeping put off for a short while and done for many answers at once, so that no answer waits for its
 * own and each pays a share of one batch rather than a pass of its own.
 */

/**
 * How long the stores' bookkeeping waits for more to join it. Measured on a 2-core machine at one client
 * (docs/benchmarks.md, footnote ∥): recording every answer at the next turn of the event loop cost 13-14% of a warm
 * call, every 10 ms 11%, every 50 ms 6-12% (about 9% in most runs), every 200 ms no less. A crash loses what waits,
 * which the records' documentation says.
 */
export const PUT_OFF_MS = 50;

/**
 * Runs `run` once, PUT_OFF_MS after it is first asked for, however often it is asked for meanwhile; `flush` runs it
 * at once instead, for a reader that must see what it does.
 * @example const filing = new PutOff(() => fileAll()); queue.push(records); filing.schedule(); … filing.flush(); read()
 */
export class PutOff {
  #run: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(run: () => void) {
    this.#run = run;
  }

  /** Asks for a run in PUT_OFF_MS; asking again before it comes changes nothing. */
  schedule(): void {
    this.#timer ??= setTimeout(() => this.flush(), PUT_OFF_MS);
  }

  /** Runs now when a run is asked for and not done yet. */
  flush(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#run();
  }
}
