/**
 * @module The activation store: every activation record on disk (segments.ts), kept within one budget of bytes
 * shared fairly between owners, with an index in memory to list, filter and fetch them and to tell followers of new
 * ones. It survives restarts: the index is read back from the segments at start.
 */
import { z } from 'zod';
import { ACTIVATION_TRIGGERS, type Activation, type ActivationOutcome } from '../../api/activations.ts';
import { matches, type ActivationFilter, type ActivationQuery, type Filterable } from './query.ts';
import { findSegments, readRecord, SegmentWriter, segmentPath } from './segments.ts';
import type { NewActivation } from './tracker.ts';

/** Bytes of records kept on disk for all owners together, unless the cloud is told otherwise. */
export const DEFAULT_ACTIVATION_BYTES = 64 * 1024 * 1024;
/** The least budget allowed: the newest record (at most about 110 KiB) must always fit. */
export const MIN_ACTIVATION_BYTES = 256 * 1024;
/** A segment is closed past this size, so the oldest records go a small part of the budget at a time. */
const MAX_SEGMENT_BYTES = 1024 * 1024;

/** What the index holds of a record: what it is filtered by and where it is. */
interface Entry extends Filterable {
  seq: number;
  id: string;
  appId: string;
  segment: Segment;
  offset: number;
  length: number;
  /** The record itself until its line is on disk. */
  record?: Activation;
}

interface Segment {
  owner: OwnerShare;
  path: string;
  /** In the order of their `seq`. */
  entries: Entry[];
  bytes: number;
  /** Found at start: never appended to, since its last line may have been cut short. */
  sealed: boolean;
  removed: boolean;
}

interface OwnerShare {
  id: string;
  /** Oldest first. */
  segments: Segment[];
  bytes: number;
}

interface Follower {
  ownerId: string;
  filter: ActivationFilter;
  listener: (activation: Activation) => void;
}

/** What the index needs of a line found at start; the rest is read when the record is. */
const indexed = z.object({
  id: z.string(),
  seq: z.number(),
  appId: z.string(),
  function: z.string(),
  version: z.string().optional(),
  trigger: z.enum(ACTIVATION_TRIGGERS),
  outcome: z.string(),
  start: z.string(),
});

export interface ActivationStoreOptions {
  /** The folder of the segments, `<data>/activations`. */
  dir: string;
  maxBytes?: number;
  /** Told when a segment could not be written: its records are given up. */
  onFailure?: (error: unknown, path: string) => void;
}

/**
 * @example const store = await ActivationStore.open({ dir: join(dataDir, 'activations') }); store.add(ownerId, tracker.records(fn, response))
 */
export class ActivationStore {
  #dir: string;
  #maxBytes: number;
  #segmentBytes: number;
  #owners = new Map<string, OwnerShare>();
  #byId = new Map<string, Entry>();
  #followers = new Map<string, Set<Follower>>();
  #bytes = 0;
  #seq = 0;
  #writer: SegmentWriter;

  private constructor(options: ActivationStoreOptions) {
    this.#dir = options.dir;
    this.#maxBytes = options.maxBytes ?? DEFAULT_ACTIVATION_BYTES;
    if (this.#maxBytes < MIN_ACTIVATION_BYTES) throw new RangeError(`the activation budget is at least ${MIN_ACTIVATION_BYTES} bytes`);
    this.#segmentBytes = Math.min(MAX_SEGMENT_BYTES, Math.floor(this.#maxBytes / 32));
    const onFailure = options.onFailure ?? (() => {});
    this.#writer = new SegmentWriter((path, error) => {
      onFailure(error, path);
      this.#giveUp(path);
    });
  }

  /** The store over the segments in `dir`, its index read back from them. */
  static async open(options: ActivationStoreOptions): Promise<ActivationStore> {
    const store = new ActivationStore(options);
    await store.#load();
    return store;
  }

  /** Bytes of records kept, all owners together. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Files the records of one invocation under their owner; they are written shortly after, and readable at once. */
  add(ownerId: string, records: NewActivation[]): void {
    if (!/^[\w-]{1,100}$/.test(ownerId)) throw new Error(`an owner id names a folder: ${JSON.stringify(ownerId)} cannot`);
    const owner = this.#ownerShare(ownerId);
    const added: Entry[] = [];
    for (const record of records) {
      // Microseconds of the clock, made unique: larger after a restart too, so a follower's place stays good.
      this.#seq = Math.max(this.#seq + 1, Date.now() * 1000);
      const { id, ...rest } = record;
      const activation: Activation = { id, seq: this.#seq, ...rest };
      const line = `${JSON.stringify(activation)}\n`;
      const entry = this.#file(owner, activation, Buffer.byteLength(line));
      entry.record = activation;
      this.#writer.append(entry.segment.path, line, () => (entry.record = undefined));
      added.push(entry);
    }
    this.#trim();
    for (const entry of added) this.#tell(ownerId, entry, entry.record!);
  }

  /** The owner's activations of app `appId` the query asks for, newest first. */
  async list(ownerId: string, appId: string, query: ActivationQuery): Promise<Activation[]> {
    const found: Entry[] = [];
    const segments = this.#owners.get(ownerId)?.segments ?? [];
    search: for (let s = segments.length - 1; s >= 0; s--) {
      const { entries } = segments[s]!;
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry = entries[i]!;
        if (query.after !== undefined && entry.seq <= query.after) break search;
        if ((query.before !== undefined && entry.seq >= query.before) || entry.appId !== appId || !matches(entry, query)) continue;
        if (found.push(entry) >= query.limit) break search;
      }
    }
    const read = await Promise.all(found.map((entry) => this.#read(entry)));
    return read.filter((activation) => activation !== undefined);
  }

  /** The activation `id` and its owner; undefined when there is none (or no longer). */
  async get(id: string): Promise<{ ownerId: string; activation: Activation } | undefined> {
    const entry = this.#byId.get(id);
    const activation = entry && (await this.#read(entry));
    return activation && { ownerId: entry.segment.owner.id, activation };
  }

  /** Tells `listener` of each new activation of the owner's app that passes `filter`, until the returned function is called. */
  follow(ownerId: string, appId: string, filter: ActivationFilter, listener: (activation: Activation) => void): () => void {
    const follower: Follower = { ownerId, filter, listener };
    let followers = this.#followers.get(appId);
    if (!followers) this.#followers.set(appId, (followers = new Set()));
    followers.add(follower);
    return () => {
      followers.delete(follower);
      if (followers.size === 0 && this.#followers.get(appId) === followers) this.#followers.delete(appId);
    };
  }

  /** Resolves once every record added so far is on disk. */
  async close(): Promise<void> {
    await this.#writer.idle();
  }

  #ownerShare(ownerId: string): OwnerShare {
    let owner = this.#owners.get(ownerId);
    if (!owner) this.#owners.set(ownerId, (owner = { id: ownerId, segments: [], bytes: 0 }));
    return owner;
  }

  /** Indexes a record of `length` bytes at the end of the owner's open segment, opening one when needed. */
  #file(owner: OwnerShare, record: Activation, length: number): Entry {
    let segment = owner.segments.at(-1);
    if (!segment || segment.sealed || segment.bytes >= this.#segmentBytes) {
      segment = { owner, path: segmentPath(this.#dir, owner.id, record.seq), entries: [], bytes: 0, sealed: false, removed: false };
      owner.segments.push(segment);
    }
    const { id, seq, appId, function: fn, version, trigger, outcome } = record;
    const entry: Entry = { id, seq, appId, function: fn, version, trigger, outcome, startMs: Date.parse(record.start), segment, offset: segment.bytes, length };
    segment.entries.push(entry);
    segment.bytes += length;
    owner.bytes += length;
    this.#bytes += length;
    this.#byId.set(id, entry);
    return entry;
  }

  /** Past the budget, the owner holding the most bytes loses its oldest segment: one owner's flood pushes out its own history, not another's. */
  #trim(): void {
    while (this.#bytes > this.#maxBytes) {
      let largest: OwnerShare | undefined;
      for (const owner of this.#owners.values()) if (!largest || owner.bytes > largest.bytes) largest = owner;
      this.#drop(largest!.segments[0]!);
    }
  }

  #drop(segment: Segment): void {
    const { owner } = segment;
    owner.segments.splice(owner.segments.indexOf(segment), 1);
    for (const entry of segment.entries) this.#byId.delete(entry.id);
    owner.bytes -= segment.bytes;
    this.#bytes -= segment.bytes;
    segment.removed = true;
    if (owner.segments.length === 0) this.#owners.delete(owner.id);
    this.#writer.remove(segment.path);
  }

  /** A segment that could not be written goes whole: its offsets no longer say where its records are. */
  #giveUp(path: string): void {
    for (const owner of this.#owners.values()) {
      const segment = owner.segments.find((candidate) => candidate.path === path);
      if (segment) return this.#drop(segment);
    }
  }

  #tell(ownerId: string, entry: Entry, activation: Activation): void {
    for (const follower of this.#followers.get(entry.appId) ?? []) {
      if (follower.ownerId === ownerId && matches(entry, follower.filter)) follower.listener(activation);
    }
  }

  async #read(entry: Entry): Promise<Activation | undefined> {
    if (entry.record) return entry.record;
    const bytes = await readRecord(entry.segment.path, entry.offset, entry.length);
    try {
      return bytes && (JSON.parse(bytes.toString('utf8')) as Activation);
    } catch {
      return undefined;
    }
  }

  async #load(): Promise<void> {
    // Each app, function and version is named by many records: one string for each, not one per record.
    const names = new Map<string, string>();
    const intern = (name: string) => names.get(name) ?? (names.set(name, name), name);
    for await (const found of findSegments(this.#dir)) {
      const owner = this.#ownerShare(found.owner);
      const segment: Segment = { owner, path: found.path, entries: [], bytes: found.bytes, sealed: true, removed: false };
      owner.segments.push(segment);
      owner.bytes += found.bytes;
      this.#bytes += found.bytes;
      for (const line of found.lines) {
        const parsed = indexed.safeParse(line.record);
        if (!parsed.success) continue;
        const { id, seq, appId, function: fn, version, trigger, outcome, start } = parsed.data;
        const entry: Entry = {
          id,
          seq,
          appId: intern(appId),
          function: intern(fn),
          version: version && intern(version),
          trigger,
          outcome: intern(outcome) as ActivationOutcome,
          startMs: Date.parse(start),
          segment,
          offset: line.offset,
          length: line.length,
        };
        segment.entries.push(entry);
        this.#byId.set(id, entry);
        this.#seq = Math.max(this.#seq, seq);
      }
    }
    this.#trim();
  }
}
