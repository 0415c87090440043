/**
 * @module The cloud's profile store: a ProfileBook per scope (an app of the cloud, or an app folder of a root that a
 * fleet courier serves), each scope owned by an account, kept within one budget of bytes shared fairly between owners
 * and within a budget per owner, and persisted to one file (profile-file.ts) a moment after changes and on close.
 */
import { ProfileBook, type ProfileDigest, type ProfilePlace, type ProfileSample, type ProfileSummary } from '../../runtime/profiles.ts';
import { PutOff } from '../put-off.ts';
import { readProfileFile, writeProfileFile, type StoredBook } from './profile-file.ts';

/** Bytes of profiles kept for all owners together, unless the cloud is told otherwise. */
export const DEFAULT_PROFILE_BYTES = 32 * 1024 * 1024;
/** Bytes one owner's profiles may hold, unless told otherwise: a quarter of the default budget. */
export const DEFAULT_PROFILE_BYTES_PER_OWNER = 8 * 1024 * 1024;
/** Function versions one scope keeps: an app's 20 versions of 10 functions each, say. */
export const MAX_VERSIONS_PER_SCOPE = 200;
/** Changes are written this long after the first one not yet on disk: a burst of calls costs one write. */
const WRITE_DELAY_MS = 2000;

/** A profile as the store answers it: the app version it was seen under, when the call's trigger knew it. */
export type StoredSummary = ProfileSummary & { appVersion?: string };

interface Scope {
  owner: string;
  book: ProfileBook;
  /** Function version → the app version (tree hash) it ran under, for the versions this scope keeps. */
  appVersions: Map<string, string>;
}

export interface ProfileStoreOptions {
  /** `<data>/profiles.json`. */
  file: string;
  maxBytes?: number;
  maxBytesPerOwner?: number;
  /** Told when the file could not be read (the store starts empty) or written (kept in memory, tried at the next change). */
  onWarning: (error: unknown, message: string) => void;
}

/** A call's sample not counted yet. */
interface Uncounted {
  key: string;
  owner: string;
  sample: ProfileSample;
  appVersion: string | undefined;
}

const versionKey = (digest: { function: string; version: string }) => `${digest.function}@${digest.version}`;

/**
 * @example const store = await ProfileStore.open({ file, onWarning }); store.record(`app:${id}`, ownerId, sample, app.activeVersion)
 */
export class ProfileStore {
  #options: ProfileStoreOptions;
  #scopes = new Map<string, Scope>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  /** Samples counted together a moment later (put-off.ts), after their answers are sent, or by the first reader before then. */
  #uncounted: Uncounted[] = [];
  #counting = new PutOff(() => this.#countAll());

  private constructor(options: ProfileStoreOptions) {
    this.#options = options;
  }

  static async open(options: ProfileStoreOptions): Promise<ProfileStore> {
    const store = new ProfileStore(options);
    for (const stored of await readProfileFile(options.file, options.onWarning)) {
      const scope = store.#scope(stored.key, stored.owner);
      for (const digest of stored.digests) scope.book.merge(digest);
      for (const [fnVersion, appVersion] of Object.entries(stored.appVersions)) scope.appVersions.set(fnVersion, appVersion);
    }
    return store;
  }

  /**
   * One call, as a trigger of this cloud saw it end: counted a moment later with the calls that end meanwhile (a few
   * numbers into a digest), once the answer being made is sent, or at once when the store is read first; the write comes later.
   */
  record(key: string, owner: string, sample: ProfileSample, appVersion?: string): void {
    this.#uncounted.push({ key, owner, sample, appVersion });
    this.#counting.schedule();
  }

  /** Digests made elsewhere (an edge run, a courier), every call in them counted at `place` whatever they say. */
  merge(key: string, owner: string, digests: readonly ProfileDigest[], place: ProfilePlace): void {
    this.#counting.flush();
    const scope = this.#scope(key, owner);
    for (const digest of digests) scope.book.merge({ ...digest, places: { cloud: 0, courier: 0, edge: 0, [place]: digest.calls } });
    this.#changed();
  }

  /** The scope's profiles, the most recently called first. */
  summaries(key: string): StoredSummary[] {
    this.#counting.flush();
    const scope = this.#scopes.get(key);
    if (!scope) return [];
    return scope.book.summaries().map((summary) => {
      const appVersion = scope.appVersions.get(versionKey(summary));
      return appVersion === undefined ? summary : { ...summary, appVersion };
    });
  }

  /** The scope's digests, for a summary over several of them (the catalogue's). */
  digests(key: string): Array<ProfileDigest & { appVersion?: string }> {
    this.#counting.flush();
    const scope = this.#scopes.get(key);
    if (!scope) return [];
    return scope.book.digests().map((digest) => ({ ...digest, appVersion: scope.appVersions.get(versionKey(digest)) }));
  }

  /** Forgets a scope (its app was deleted). */
  remove(key: string): void {
    this.#counting.flush();
    if (this.#scopes.delete(key)) this.#changed();
  }

  /** Writes what is not on disk yet; resolves once it is. */
  async close(): Promise<void> {
    this.#counting.flush();
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#write();
    }
    await this.#writing;
  }

  #countAll(): void {
    const uncounted = this.#uncounted;
    this.#uncounted = [];
    for (const { key, owner, sample, appVersion } of uncounted) {
      try {
        const scope = this.#scope(key, owner);
        scope.book.record(sample);
        if (appVersion !== undefined) scope.appVersions.set(versionKey(sample), appVersion);
      } catch (error) {
        // A bug in counting one sample: its answer is sent already, and the other samples still count.
        this.#options.onWarning(error, 'could not count a call in its profile');
      }
    }
    this.#changed();
  }

  #scope(key: string, owner: string): Scope {
    let scope = this.#scopes.get(key);
    if (!scope) this.#scopes.set(key, (scope = { owner, book: new ProfileBook({ max: MAX_VERSIONS_PER_SCOPE }), appVersions: new Map() }));
    return scope;
  }

  #changed(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#write();
    }, WRITE_DELAY_MS);
    this.#timer.unref();
  }

  /** Trims to the budgets, then writes; one write at a time, in order. */
  #write(): void {
    const books = this.#trim();
    this.#writing = this.#writing
      .then(() => writeProfileFile(this.#options.file, books))
      .catch((error: unknown) => this.#options.onWarning(error, 'could not write the profiles; they are kept in memory and written at the next change'));
  }

  /**
   * Sizes every digest as it would be written, then, past an owner's budget, drops that owner's least recently called
   * versions, and past the whole budget those of the owner holding the most bytes: one owner's many versions push out
   * its own profiles, never another's.
   */
  #trim(): StoredBook[] {
    const maxBytes = this.#options.maxBytes ?? DEFAULT_PROFILE_BYTES;
    const maxPerOwner = this.#options.maxBytesPerOwner ?? DEFAULT_PROFILE_BYTES_PER_OWNER;
    const sized = [...this.#scopes].flatMap(([key, scope]) =>
      scope.book.digests().map((digest) => ({ key, scope, digest, bytes: JSON.stringify(digest).length })),
    );
    // Least recently called first: the first of an owner's is the one it gives up first.
    sized.sort((a, b) => a.digest.lastAt - b.digest.lastAt);
    const owners = new Map<string, number>();
    let total = 0;
    for (const entry of sized) {
      owners.set(entry.scope.owner, (owners.get(entry.scope.owner) ?? 0) + entry.bytes);
      total += entry.bytes;
    }
    const dropped = new Set<(typeof sized)[number]>();
    const dropOldestOf = (owner: string) => {
      const entry = sized.find((candidate) => candidate.scope.owner === owner && !dropped.has(candidate))!;
      dropped.add(entry);
      owners.set(owner, owners.get(owner)! - entry.bytes);
      total -= entry.bytes;
      entry.scope.book.forget(entry.digest.function, entry.digest.version);
      entry.scope.appVersions.delete(versionKey(entry.digest));
    };
    for (const [owner] of owners) while (owners.get(owner)! > maxPerOwner) dropOldestOf(owner);
    while (total > maxBytes) dropOldestOf([...owners].reduce((a, b) => (b[1] > a[1] ? b : a))[0]);
    const books = new Map<string, StoredBook>();
    for (const entry of sized) {
      if (dropped.has(entry)) continue;
      let book = books.get(entry.key);
      if (!book) books.set(entry.key, (book = { key: entry.key, owner: entry.scope.owner, appVersions: {}, digests: [] }));
      book.digests.push(entry.digest);
      const appVersion = entry.scope.appVersions.get(versionKey(entry.digest));
      if (appVersion !== undefined) book.appVersions[versionKey(entry.digest)] = appVersion;
    }
    for (const [key, scope] of this.#scopes) {
      if (scope.book.size === 0) this.#scopes.delete(key);
      // The book drops versions past its own bound too: their app versions go with them.
      const kept = new Set(books.get(key)?.digests.map(versionKey));
      for (const fnVersion of scope.appVersions.keys()) if (!kept.has(fnVersion)) scope.appVersions.delete(fnVersion);
    }
    return [...books.values()];
  }
}
