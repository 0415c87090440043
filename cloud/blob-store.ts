/**
 * @module The cloud's content-addressed store of bytes: app files and function code, each in a file named by the
 * SHA-256 of its content under `<data>/blobs/`, written once and never changed. The database names blobs; one is
 * removed when the database no longer names it and no request holds it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeFileAtomic } from '../base/atomic-file.ts';
import { inTurn } from './in-turn.ts';

/** A blob as records name it. */
export interface BlobRef {
  sha256: string;
  size: number;
}

const HASH = /^[0-9a-f]{64}$/;

export const isBlobHash = (value: string) => HASH.test(value);

/**
 * What a request or a write holds: blobs it wrote or will name, kept until it is released, so that a change of the
 * database made meanwhile (which may stop naming the same bytes) cannot remove them under it.
 */
export interface BlobHolder {
  /** Writes `data` and holds its blob. */
  put(data: string | Uint8Array): Promise<BlobRef>;
  /**
   * Streams `source` into a blob and holds it; `tooLarge` is thrown past `maxBytes`, and nothing is kept.
   * @example const ref = await holder.receive(req, MAX_APP_FILE_BYTES, () => new EdgeError('PAYLOAD_TOO_LARGE', '…'))
   */
  receive(source: AsyncIterable<Uint8Array>, maxBytes: number, tooLarge: () => Error): Promise<BlobRef>;
  /** Holds a blob that exists already, e.g. one a record names, until release. */
  hold(sha256: string): void;
  /** Lets go of every blob held; those no record names are removed. */
  release(): void;
}

export class BlobStore {
  readonly dir: string;
  #holds = new Map<string, number>();
  #named = new Set<string>();
  /** Writes and removals of each blob, one at a time, so a removal and a write of the same bytes cannot cross. */
  #queues = new Map<string, Promise<unknown>>();

  constructor(dir: string) {
    this.dir = dir;
  }

  path(sha256: string): string {
    if (!HASH.test(sha256)) throw new Error(`"${sha256}" is not a SHA-256 hash`);
    return join(this.dir, sha256);
  }

  read(sha256: string): Promise<Buffer> {
    return readFile(this.path(sha256));
  }

  /** A new holder; release it when the record naming what it holds is saved, or the request failed. */
  holder(): BlobHolder {
    const held: string[] = [];
    const hold = (sha256: string) => {
      this.#holds.set(sha256, (this.#holds.get(sha256) ?? 0) + 1);
      held.push(sha256);
    };
    return {
      put: async (data) => {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        const ref = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength };
        hold(ref.sha256);
        await mkdir(this.dir, { recursive: true, mode: 0o700 });
        await this.#inTurn(ref.sha256, async () => {
          if (!(await this.#exists(ref.sha256))) await writeFileAtomic(this.path(ref.sha256), bytes, { mode: 0o600 });
        });
        return ref;
      },
      receive: async (source, maxBytes, tooLarge) => {
        const temp = join(this.dir, `.upload-${randomUUID()}`);
        await mkdir(this.dir, { recursive: true, mode: 0o700 });
        const hash = createHash('sha256');
        let size = 0;
        const counted = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            size += chunk.byteLength;
            if (size > maxBytes) return done(tooLarge());
            hash.update(chunk);
            done(null, chunk);
          },
        });
        try {
          await pipeline(source, counted, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
          const ref = { sha256: hash.digest('hex'), size };
          hold(ref.sha256);
          await this.#inTurn(ref.sha256, async () => {
            if (!(await this.#exists(ref.sha256))) await rename(temp, this.path(ref.sha256));
          });
          return ref;
        } finally {
          await rm(temp, { force: true });
        }
      },
      hold,
      release: () => {
        for (const sha256 of held.splice(0)) {
          const left = (this.#holds.get(sha256) ?? 1) - 1;
          if (left > 0) this.#holds.set(sha256, left);
          else {
            this.#holds.delete(sha256);
            void this.#removeIfUnused(sha256);
          }
        }
      },
    };
  }

  /** The database now names exactly `hashes`: the blobs it stopped naming go, unless held; resolves when they are gone. */
  async named(hashes: ReadonlySet<string>): Promise<void> {
    const before = this.#named;
    this.#named = new Set(hashes);
    await Promise.all([...before].filter((sha256) => !this.#named.has(sha256)).map((sha256) => this.#removeIfUnused(sha256)));
  }

  /**
   * At start, before anything is held: the database names `hashes`, and every other file in the folder goes (left by
   * a write or an upload that failed, or a crash before a clean-up).
   */
  async sweep(hashes: ReadonlySet<string>): Promise<void> {
    this.#named = new Set(hashes);
    const names = await readdir(this.dir).catch(() => [] as string[]);
    await Promise.all(names.filter((name) => !this.#named.has(name)).map((name) => rm(join(this.dir, name), { force: true, recursive: true })));
  }

  /** Never fails: a blob left behind is removed at the next start. */
  #removeIfUnused(sha256: string): Promise<void> {
    return this.#inTurn(sha256, async () => {
      if (!this.#holds.has(sha256) && !this.#named.has(sha256)) await rm(this.path(sha256), { force: true });
    }).catch(() => undefined);
  }

  async #exists(sha256: string): Promise<boolean> {
    return stat(this.path(sha256)).then(
      () => true,
      () => false,
    );
  }

  #inTurn<T>(sha256: string, task: () => Promise<T>): Promise<T> {
    return inTurn(this.#queues, sha256, task);
  }
}
