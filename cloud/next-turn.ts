/** @module One piece of bookkeeping put off to the next turn of the event loop, so that the answers sent in this turn do not wait for it. */

/**
 * Runs `run` once at the next turn of the event loop (a `setImmediate`: after everything this turn does, the answers
 * it sends included), however often it is asked for in this one; `flush` runs it at once instead, for a reader that
 * must see what it does.
 * @example const filing = new NextTurn(() => fileAll()); queue.push(records); filing.schedule(); … filing.flush(); read()
 */
export class NextTurn {
  #run: () => void;
  #immediate: NodeJS.Immediate | undefined;

  constructor(run: () => void) {
    this.#run = run;
  }

  /** Asks for a run at the next turn; asking again before it comes changes nothing. */
  schedule(): void {
    this.#immediate ??= setImmediate(() => this.flush());
  }

  /** Runs now when a run is asked for and not done yet. */
  flush(): void {
    if (this.#immediate === undefined) return;
    clearImmediate(this.#immediate);
    this.#immediate = undefined;
    this.#run();
  }
}
