/**
 * @module The files activation records live in: per owner, append-only segments of one JSON record a line. Appends
 * are queued and written in batches after the call that made them has answered, one file write per segment and
 * batch, so no request waits for the disk; a segment is removed whole; a record is read back by its offset.
 */
import { appendFile, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A segment's file name: the `seq` of its first record, 16 digits, so names sort as segments began. */
const SEGMENT_NAME = /^(\d{16})\.jsonl$/;

export function segmentPath(dir: string, owner: string, firstSeq: number): string {
  return join(dir, owner, `${String(firstSeq).padStart(16, '0')}.jsonl`);
}

type Operation = { path: string; text: string; written: () => void } | { path: string; remove: true };

/**
 * Writes segments in the order asked, one batch at a time: appends queued meanwhile to one file go in one write.
 * A write that fails is reported and its batch dropped; the store gives up that segment.
 */
export class SegmentWriter {
  #queue: Operation[] = [];
  #running = false;
  #idle: Promise<void> = Promise.resolve();
  #dirs = new Set<string>();
  #onFailure: (path: string, error: unknown) => void;

  constructor(onFailure: (path: string, error: unknown) => void) {
    this.#onFailure = onFailure;
  }

  /** Appends `text` to the segment at `path` (made with its folder when new); `written` is called once it is on disk. */
  append(path: string, text: string, written: () => void): void {
    this.#queue.push({ path, text, written });
    this.#kick();
  }

  remove(path: string): void {
    this.#queue.push({ path, remove: true });
    this.#kick();
  }

  /** Resolves once everything asked so far is written or removed. */
  async idle(): Promise<void> {
    while (this.#running) await this.#idle;
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = true;
    this.#idle = this.#run();
  }

  async #run(): Promise<void> {
    try {
      // Lets the calls answering now queue their records first: they go in the same writes.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        for (const group of batches(batch)) await this.#apply(group);
      }
    } finally {
      this.#running = false;
    }
  }

  async #apply(group: Operation[]): Promise<void> {
    const [first] = group;
    if (!first) return;
    try {
      if ('remove' in first) return await rm(first.path, { force: true });
      const dir = dirname(first.path);
      if (!this.#dirs.has(dir)) {
        await mkdir(dir, { recursive: true });
        this.#dirs.add(dir);
      }
      await appendFile(first.path, group.map((op) => ('text' in op ? op.text : '')).join(''));
      for (const op of group) if ('written' in op) op.written();
    } catch (error) {
      this.#onFailure(first.path, error);
    }
  }
}

/** Consecutive appends to one path merged into one group; a removal is a group of its own, in its place. */
function batches(operations: Operation[]): Operation[][] {
  const groups: Operation[][] = [];
  for (const op of operations) {
    const last = groups.at(-1);
    if (last && !('remove' in op) && !('remove' in last[0]!) && last[0]!.path === op.path) last.push(op);
    else groups.push([op]);
  }
  return groups;
}

/** `length` bytes at `offset` of the segment; undefined when the segment is gone or shorter (removed meanwhile). */
export async function readRecord(path: string, offset: number, length: number): Promise<Buffer | undefined> {
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await file.read(bytes, 0, length, offset);
    return bytesRead === length ? bytes : undefined;
  } finally {
    await file.close();
  }
}

/** One line of a segment found at start. */
export interface FoundLine {
  offset: number;
  length: number;
  record: unknown;
}

export interface FoundSegment {
  owner: string;
  path: string;
  /** Bytes of its whole lines: a line cut short by a crash, and anything after it, is not counted or read. */
  bytes: number;
  lines: FoundLine[];
}

/** Every segment under `dir`, each owner's oldest first, read one at a time. */
export async function* findSegments(dir: string): AsyncGenerator<FoundSegment> {
  const owners = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const owner of owners) {
    if (!owner.isDirectory()) continue;
    const names = (await readdir(join(dir, owner.name))).filter((name) => SEGMENT_NAME.test(name)).sort();
    for (const name of names) {
      const path = join(dir, owner.name, name);
      yield { owner: owner.name, path, ...linesOf(await readFile(path)) };
    }
  }
}

function linesOf(bytes: Buffer): { bytes: number; lines: FoundLine[] } {
  const lines: FoundLine[] = [];
  let offset = 0;
  for (let end = bytes.indexOf(10); end !== -1; end = bytes.indexOf(10, offset)) {
    let record: unknown;
    try {
      record = JSON.parse(bytes.toString('utf8', offset, end));
    } catch {
      break;
    }
    lines.push({ offset, length: end + 1 - offset, record });
    offset = end + 1;
  }
  return { bytes: offset, lines };
}
