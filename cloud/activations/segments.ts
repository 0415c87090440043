/**
 * @module The files activation records live in: per owner, append-only segments of one JSON record a line. Appends
 * are queued and written together at the next turn of the event loop, one write per segment and batch into a file
 * kept open: the store files many calls' records at once (put-off.ts), so no request waits for the disk and a call
 * costs a few microseconds of it; a segment is removed whole; a record is read back by its offset.
 */
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A segment's file name: the `seq` of its first record, 16 digits, so names sort as segments began. */
const SEGMENT_NAME = /^(\d{16})\.jsonl$/;

export function segmentPath(dir: string, owner: string, firstSeq: number): string {
  return join(dir, owner, `${String(firstSeq).padStart(16, '0')}.jsonl`);
}

/** Segments kept open for appends: one per owner writing now, the least recently written closed past it. */
const OPEN_FILES = 32;

type Operation = { path: string; text: string; written: () => void } | { path: string; remove: true };

/**
 * Writes segments in the order asked, a batch at a time: appends queued meanwhile to one file go in one write.
 * A write that fails is reported and its batch dropped; the store gives up that segment.
 */
export class SegmentWriter {
  #queue: Operation[] = [];
  #immediate: NodeJS.Immediate | undefined;
  /** The batches being written, one after another. */
  #writing: Promise<void> = Promise.resolve();
  /** Open segments, the least recently written first (a Map iterates in the order of insertion). */
  #files = new Map<string, Promise<FileHandle>>();
  #dirs = new Set<string>();
  #onFailure: (path: string, error: unknown) => void;

  constructor(onFailure: (path: string, error: unknown) => void) {
    this.#onFailure = onFailure;
  }

  /** Appends `text` to the segment at `path` (made with its folder when new); `written` is called once it is on disk. */
  append(path: string, text: string, written: () => void): void {
    this.#queue.push({ path, text, written });
    this.#flushSoon();
  }

  remove(path: string): void {
    this.#queue.push({ path, remove: true });
    this.#flushSoon();
  }

  /** Writes everything asked so far and closes the files; resolves once it is done. Appends later open them again. */
  async idle(): Promise<void> {
    do await this.#flush();
    while (this.#queue.length > 0);
    const files = [...this.#files.values()];
    this.#files.clear();
    await Promise.all(files.map(async (file) => (await file.catch(() => undefined))?.close()));
  }

  #flushSoon(): void {
    this.#immediate ??= setImmediate(() => void this.#flush());
  }

  /** Takes what is queued as a batch, written after those before it; resolves once it is. */
  #flush(): Promise<void> {
    clearImmediate(this.#immediate);
    this.#immediate = undefined;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length > 0) {
      this.#writing = this.#writing.then(async () => {
        for (const group of groups(batch)) await this.#apply(group);
      });
    }
    return this.#writing;
  }

  async #apply(group: Operation[]): Promise<void> {
    const first = group[0]!;
    try {
      if ('remove' in first) {
        await this.#close(first.path);
        return await rm(first.path, { force: true });
      }
      const file = await this.#file(first.path);
      await file.write(group.map((op) => ('text' in op ? op.text : '')).join(''));
      for (const op of group) if ('written' in op) op.written();
    } catch (error) {
      await this.#close(first.path);
      this.#onFailure(first.path, error);
    }
  }

  #file(path: string): Promise<FileHandle> {
    let file = this.#files.get(path);
    if (file) this.#files.delete(path);
    else {
      file = this.#open(path);
      const [oldest] = this.#files.keys();
      if (oldest !== undefined && this.#files.size >= OPEN_FILES) void this.#close(oldest);
    }
    this.#files.set(path, file);
    return file;
  }

  async #open(path: string): Promise<FileHandle> {
    const dir = dirname(path);
    if (!this.#dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.#dirs.add(dir);
    }
    return open(path, 'a');
  }

  async #close(path: string): Promise<void> {
    const file = this.#files.get(path);
    this.#files.delete(path);
    await (await file?.catch(() => undefined))?.close();
  }
}

/** Consecutive appends to one path merged into one group; a removal is a group of its own, in its place. */
function groups(operations: Operation[]): Operation[][] {
  const result: Operation[][] = [];
  for (const op of operations) {
    const last = result.at(-1);
    if (last && !('remove' in op) && !('remove' in last[0]!) && last[0]!.path === op.path) last.push(op);
    else result.push([op]);
  }
  return result;
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
