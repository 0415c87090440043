/**
 * @module Fair shares of the pool's capacity between owners (users, or roots in fleet mode): each runs at
 * most an equal share while others want room, waits in a line of its own, and the lines are served in
 * turn, so one owner's flood cannot starve another's calls.
 */

export interface FairSharesOptions {
  /** Calls that may run at once in all. */
  capacity: number;
  /** Calls one owner may have waiting; past it the owner's calls are refused at once. */
  maxWaitingPerOwner: number;
  /** Calls that may wait in all. */
  maxWaiting: number;
}

interface Owner<T> {
  running: number;
  line: T[];
}

/** Who runs and who waits; the pool decides what a place is and whether one is free. */
export class FairShares<T> {
  #options: FairSharesOptions;
  #owners = new Map<string, Owner<T>>();
  /** Owners in the order their lines are served: the one served last goes to the back. */
  #turns: string[] = [];
  #waiting = 0;

  constructor(options: FairSharesOptions) {
    this.#options = options;
  }

  /** The most one owner may run while every owner now running or waiting wants room. */
  get share(): number {
    return Math.max(1, Math.floor(this.#options.capacity / Math.max(1, this.#owners.size)));
  }

  get waiting(): number {
    return this.#waiting;
  }

  /** True when a call of `owner` would have to wait and its line (or all of them) has no room. */
  full(owner: string): boolean {
    const entry = this.#owners.get(owner);
    return !!entry && !this.mayStart(owner) && this.#noRoom(entry);
  }

  /** True when a call of `owner` may start now: under its share, and not ahead of its own line. */
  mayStart(owner: string): boolean {
    const entry = this.#owners.get(owner);
    return !entry || (entry.running < this.share && entry.line.length === 0);
  }

  started(owner: string): void {
    this.#owner(owner).running++;
  }

  ended(owner: string): void {
    const entry = this.#owners.get(owner);
    if (!entry) return;
    entry.running--;
    this.#forgetIdle(owner, entry);
  }

  /** Puts a call in its owner's line; false when that line (or all lines together) is full. */
  wait(owner: string, item: T): boolean {
    const entry = this.#owner(owner);
    if (this.#noRoom(entry)) {
      this.#forgetIdle(owner, entry);
      return false;
    }
    entry.line.push(item);
    this.#waiting++;
    return true;
  }

  /** Takes a call out of its line without starting it (it gave up); false when it was not there. */
  remove(owner: string, item: T): boolean {
    const entry = this.#owners.get(owner);
    const index = entry ? entry.line.indexOf(item) : -1;
    if (!entry || index === -1) return false;
    entry.line.splice(index, 1);
    this.#waiting--;
    this.#forgetIdle(owner, entry);
    return true;
  }

  /**
   * Starts waiting calls, one per owner in turn, for as long as `tryStart` finds one a place; owners at
   * their share are passed over. Within a line the first call that can start goes first, so a call
   * waiting for one app's sandbox does not hold up the owner's calls to another app.
   */
  serve(tryStart: (item: T) => boolean): void {
    let progressed = true;
    while (progressed && this.#waiting > 0) {
      progressed = false;
      for (const owner of [...this.#turns]) {
        const entry = this.#owners.get(owner)!;
        if (entry.running >= this.share) continue;
        const index = entry.line.findIndex(tryStart);
        if (index === -1) continue;
        entry.line.splice(index, 1);
        this.#waiting--;
        entry.running++;
        this.#turns.push(...this.#turns.splice(this.#turns.indexOf(owner), 1));
        progressed = true;
      }
    }
  }

  /** Empties every line, for a pool that closes. */
  drain(): T[] {
    const items = [...this.#owners.values()].flatMap((entry) => entry.line.splice(0));
    this.#waiting = 0;
    for (const [owner, entry] of this.#owners) this.#forgetIdle(owner, entry);
    return items;
  }

  /** The owner's line, or all lines together, can take no more. */
  #noRoom(entry: Owner<T>): boolean {
    return entry.line.length >= this.#options.maxWaitingPerOwner || this.#waiting >= this.#options.maxWaiting;
  }

  #owner(owner: string): Owner<T> {
    let entry = this.#owners.get(owner);
    if (!entry) {
      entry = { running: 0, line: [] };
      this.#owners.set(owner, entry);
      this.#turns.push(owner);
    }
    return entry;
  }

  #forgetIdle(owner: string, entry: Owner<T>): void {
    if (entry.running > 0 || entry.line.length > 0) return;
    this.#owners.delete(owner);
    this.#turns.splice(this.#turns.indexOf(owner), 1);
  }
}
