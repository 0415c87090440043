/**
 * @module The activation store: every activation record on disk (segments.ts), kept within one budget of bytes
 * shared fairly between owners, with an index in memory to list, filter and fetch them and to tell followers of new
 * ones. Records are made and filed in batches a moment after the answers they belong to are sent (put-off.ts), so
 * they cost those answers no time and each a share of one pass. It survives
 * restarts: the index is read back from the segments at start.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { ACTIVATION_TRIGGERS, type Activation, type ActivationOutcome } from '../../api/activations.ts';
import { PutOff } from '../put-off.ts';
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
  /** The record's line until it is on disk: kept as the text already made, not as objects the garbage collector must trace. */
  line?: string;
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

/** An owner id names a folder. */
const OWNER_ID = /^[\w-]{1,100}$/;

/** An invocation answered whose records are not filed yet. */
interface Unfiled {
  ownerId: string;
  records: () => NewActivation[];
}

/** A segment's line as its record; undefined when it is not one (cut short, or read from a segment removed meanwhile). */
function parseLine(line: string): Activation | undefined {
  try {
    return JSON.parse(line) as Activation;
  } catch {
    return undefined;
  }
}

export interface ActivationStoreOptions {
  /** The folder of the segments, `<data>/activations`. */
  dir: string;
  maxBytes?: number;
  /** Told when a segment could not be written: its records are given up. */
  onFailure?: (error: unknown, path: string) => void;
}

/**
 * @example const store = await ActivationStore.open({ dir: join(dataDir, 'activations') }); store.add(ownerId, () => tracker.records(fn, error))
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
  /** In the order they were added; filed together a moment later (put-off.ts), or by the first read before then. */
  #unfiled: Unfiled[] = [];
  #filing = new PutOff(() => this.#fileAll());
  #onFailure: (error: unknown, path: string) => void;
  #closed = false;

  private constructor(options: ActivationStoreOptions) {
    this.#dir = options.dir;
    this.#maxBytes = options.maxBytes ?? DEFAULT_ACTIVATION_BYTES;
    if (this.#maxBytes < MIN_ACTIVATION_BYTES) throw new RangeError(`the activation budget is at least ${MIN_ACTIVATION_BYTES} bytes`);
    this.#segmentBytes = Math.min(MAX_SEGMENT_BYTES, Math.floor(this.#maxBytes / 32));
    const onFailure = (this.#onFailure = options.onFailure ?? (() => {}));
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
    this.#filing.flush();
    return this.#bytes;
  }

  /**
   * Files the records of one invocation under their owner. `records` makes them a moment later (put-off.ts), once
   * the answer they belong to has been sent, together with those of the other answers sent meanwhile; a read,
   * a new follower or `close` before then files them first, so they are readable as soon as their answer is out.
   * They reach the disk in a batch shortly after (segments.ts).
   * @example store.add(ownerId, () => tracker.records(fn, error))
   */
  add(ownerId: string, records: () => NewActivation[]): void {
    if (!OWNER_ID.test(ownerId)) throw new Error(`an owner id names a folder: ${JSON.stringify(ownerId)} cannot`);
    // The cloud is stopping and its connections are closed, so this answer reaches no one; filing it would open
    // segment files that nothing closes any more.
    if (this.#closed) return;
    this.#unfiled.push({ ownerId, records });
    this.#filing.schedule();
  }

  /** The owner's activations of app `appId` the query asks for, newest first. */
  async list(ownerId: string, appId: string, query: ActivationQuery): Promise<Activation[]> {
    this.#filing.flush();
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
    this.#filing.flush();
    const entry = this.#byId.get(id);
    const activation = entry && (await this.#read(entry));
    return activation && { ownerId: entry.segment.owner.id, activation };
  }

  /** Tells `listener` of each new activation of the owner's app that passes `filter`, until the returned function is called. */
  follow(ownerId: string, appId: string, filter: ActivationFilter, listener: (activation: Activation) => void): () => void {
    // Records of answers already sent are history to this follower, not news.
    this.#filing.flush();
    const follower: Follower = { ownerId, filter, listener };
    let followers = this.#followers.get(appId);
    if (!followers) this.#followers.set(appId, (followers = new Set()));
    followers.add(follower);
    return () => {
      // Told of the answers sent while it followed, whether their records were filed yet or not.
      this.#filing.flush();
      followers.delete(follower);
      if (followers.size === 0 && this.#followers.get(appId) === followers) this.#followers.delete(appId);
    };
  }

  /** Resolves once every record added so far is on disk; records added after it are not kept. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#filing.flush();
    await this.#writer.idle();
  }

  /** Makes and files every record added so far, then keeps the budget once for them all and tells followers. */
  #fileAll(): void {
    const unfiled = this.#unfiled;
    this.#unfiled = [];
    const added: Entry[] = [];
    for (const { ownerId, records } of unfiled) {
      try {
        const owner = this.#ownerShare(ownerId);
        for (const record of records()) added.push(this.#append(owner, record));
      } catch (error) {
        // A bug in making the records: the answer is sent already, and the other invocations' records still go in.
        this.#onFailure(error, join(this.#dir, ownerId));
      }
    }
    this.#trim();
    if (this.#followers.size === 0) return;
    for (const entry of added) this.#tell(entry);
  }

  /** Indexes the record and queues its line for the disk. */
  #append(owner: OwnerShare, record: NewActivation): Entry {
    // Microseconds of the clock, made unique: larger after a restart too, so a follower's place stays good.
    this.#seq = Math.max(this.#seq + 1, Date.now() * 1000);
    // The record with its seq, as one line; spliced in front rather than copying the record (a record is never empty).
    const line = `{"seq":${this.#seq},${JSON.stringify(record).slice(1)}\n`;
    const entry = this.#file(owner, record, this.#seq, Buffer.byteLength(line));
    entry.line = line;
    this.#writer.append(entry.segment.path, line, () => (entry.line = undefined));
    return entry;
  }

  #ownerShare(ownerId: string): OwnerShare {
    let owner = this.#owners.get(ownerId);
    if (!owner) this.#owners.set(ownerId, (owner = { id: ownerId, segments: [], bytes: 0 }));
    return owner;
  }

  /** Indexes a record of `length` bytes at the end of the owner's open segment, opening one when needed. */
  #file(owner: OwnerShare, record: NewActivation, seq: number, length: number): Entry {
    let segment = owner.segments.at(-1);
    if (!segment || segment.sealed || segment.bytes >= this.#segmentBytes) {
      segment = { owner, path: segmentPath(this.#dir, owner.id, seq), entries: [], bytes: 0, sealed: false, removed: false };
      owner.segments.push(segment);
    }
    const { id, appId, function: fn, version, trigger, outcome } = record;
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

  #tell(entry: Entry): void {
    const ownerId = entry.segment.owner.id;
    let activation: Activation | undefined;
    for (const follower of this.#followers.get(entry.appId) ?? []) {
      if (follower.ownerId === ownerId && matches(entry, follower.filter)) follower.listener((activation ??= parseLine(entry.line!)!));
    }
  }

  async #read(entry: Entry): Promise<Activation | undefined> {
    if (entry.line !== undefined) return parseLine(entry.line);
    const bytes = await readRecord(entry.segment.path, entry.offset, entry.length);
    return bytes && parseLine(bytes.toString('utf8'));
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
