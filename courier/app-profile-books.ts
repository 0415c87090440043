/**
 * @module The profiles of a root's folder apps: one ProfileBook per app folder (a report to the cloud names the app
 * each digest belongs to), bounded together in bytes, the versions called least recently dropped first.
 */
import type { ProfileDigest, ProfileSample } from '../runtime/profiles.ts';
import { ProfileBook } from '../runtime/profiles.ts';

/** One app folder's digests. */
export interface AppDigests {
  app: string;
  digests: ProfileDigest[];
}

export class AppProfileBooks {
  #books = new Map<string, ProfileBook>();

  constructor(entries: readonly AppDigests[] = []) {
    for (const { app, digests } of entries) this.merge(app, digests);
  }

  get empty(): boolean {
    return this.#books.size === 0;
  }

  record(app: string, sample: ProfileSample): void {
    this.#book(app).record(sample);
  }

  merge(app: string, digests: readonly ProfileDigest[]): void {
    if (digests.length === 0) return;
    const book = this.#book(app);
    for (const digest of digests) book.merge(digest);
  }

  /** Every app's digests, each book's least recently called first (the order a book is restored in). */
  entries(): AppDigests[] {
    return [...this.#books].map(([app, book]) => ({ app, digests: book.digests() }));
  }

  /** The summaries of one app's versions, the most recently called first. */
  summaries(app: string) {
    return this.#books.get(app)?.summaries() ?? [];
  }

  /** Every app's digests, leaving the books empty. */
  take(): AppDigests[] {
    const entries = this.entries();
    this.#books.clear();
    return entries;
  }

  /**
   * Drops the versions called least recently, whatever their app, until the digests as JSON take at most `maxBytes`.
   * Returns how many were dropped.
   */
  trim(maxBytes: number): number {
    const all = this.entries().flatMap(({ app, digests }) => digests.map((digest) => ({ app, digest, bytes: JSON.stringify(digest).length + 2 })));
    let total = all.reduce((sum, entry) => sum + entry.bytes, 0);
    if (total <= maxBytes) return 0;
    all.sort((a, b) => a.digest.lastAt - b.digest.lastAt);
    let dropped = 0;
    while (total > maxBytes && dropped < all.length) total -= all[dropped++]!.bytes;
    this.#books.clear();
    for (const { app, digest } of all.slice(dropped)) this.#book(app).merge(digest);
    return dropped;
  }

  #book(app: string): ProfileBook {
    let book = this.#books.get(app);
    if (!book) this.#books.set(app, (book = new ProfileBook()));
    return book;
  }
}
