/**
 * @module The courier's journal: which request contents were accepted and which finished, kept outside
 * the synced root so it never syncs. It makes requests run once per content across restarts: a
 * finished content is never run again, an accepted but unfinished one is run again after a crash.
 */
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../base/atomic-file.ts';

export type JournalState = 'accepted' | 'done';

interface Line {
  p: string;
  h: string;
  s: 'a' | 'd' | 'x';
}

export class Journal {
  #file: string;
  #entries = new Map<string, { hash: string; state: JournalState }>();
  #handle?: FileHandle;
  /** Lines recorded but not yet written, and who waits for them: written together in one append. */
  #batch: string[] = [];
  #batchWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  #writing: Promise<void> | undefined;
  #lines = 0;

  private constructor(file: string) {
    this.#file = file;
  }

  /** Opens the journal at `file`, replaying it and writing it back compacted. */
  static async open(file: string): Promise<Journal> {
    const journal = new Journal(file);
    await mkdir(dirname(file), { recursive: true });
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    for (const raw of text.split('\n')) journal.#replay(raw);
    await journal.#compact();
    return journal;
  }

  /** What the journal knows of the request at `path` with content hash `hash`. */
  state(path: string, hash: string): JournalState | undefined {
    const entry = this.#entries.get(path);
    return entry?.hash === hash ? entry.state : undefined;
  }

  /** Whether the request at `path` finished, whatever its content was. */
  finished(path: string): boolean {
    return this.#entries.get(path)?.state === 'done';
  }

  accepted(path: string, hash: string): Promise<void> {
    return this.#record({ p: path, h: hash, s: 'a' });
  }

  /** Only an accepted request finishes: one forgotten while it ran (its file removed) stays forgotten, so dropping it again runs it again. */
  done(path: string, hash: string): Promise<void> {
    if (this.state(path, hash) !== 'accepted') return Promise.resolve();
    return this.#record({ p: path, h: hash, s: 'd' });
  }

  /** The request file is gone: dropping the same content again runs it again. */
  forget(path: string): Promise<void> {
    if (!this.#entries.has(path)) return Promise.resolve();
    return this.#record({ p: path, h: '', s: 'x' });
  }

  /** Paths the journal holds entries for, to drop those whose files vanished while the courier was down. */
  paths(): string[] {
    return [...this.#entries.keys()];
  }

  /** Resolves once every recorded line is on disk. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  #replay(raw: string): void {
    if (!raw) return;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      // A crash can cut the last line short; that record never counted.
      return;
    }
    this.#apply(line);
  }

  #apply(line: Line): void {
    if (line.s === 'x') this.#entries.delete(line.p);
    else this.#entries.set(line.p, { hash: line.h, state: line.s === 'd' ? 'done' : 'accepted' });
  }

  #record(line: Line): Promise<void> {
    this.#apply(line);
    this.#batch.push(JSON.stringify(line) + '\n');
    const written = new Promise<void>((resolve, reject) => this.#batchWaiters.push({ resolve, reject }));
    this.#writing ??= this.#writeBatches();
    return written;
  }

  /** Group commit: while one append is on its way, later lines gather and go out in the next one. */
  async #writeBatches(): Promise<void> {
    while (this.#batch.length > 0) {
      const text = this.#batch.join('');
      const waiters = this.#batchWaiters;
      this.#batch = [];
      this.#batchWaiters = [];
      try {
        this.#handle ??= await open(this.#file, 'a');
        await this.#handle.write(text);
        this.#lines += waiters.length;
        if (this.#lines > 1000 && this.#lines > 4 * this.#entries.size) await this.#compact();
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.#writing = undefined;
  }

  /** Resolves once every recorded line is on disk, and closes the file. */
  async close(): Promise<void> {
    await this.flush();
    await this.#handle?.close();
    this.#handle = undefined;
  }

  async #compact(): Promise<void> {
    const lines = [...this.#entries].map(([p, { hash, state }]) => JSON.stringify({ p, h: hash, s: state === 'done' ? 'd' : 'a' }) + '\n');
    await this.#handle?.close();
    this.#handle = undefined;
    await writeFileAtomic(this.#file, lines.join(''));
    this.#lines = lines.length;
  }
}
