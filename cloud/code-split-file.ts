/**
 * @module A lowdb adapter for the cloud's database that keeps function code out of the JSON file. lowdb
 * serialises the whole file on every change, and code is nearly all of its bytes: with code inline, one
 * account holding 8 MB of it made every write (a login, a token) block the server for 140-200 ms. Code is
 * kept in files named by the SHA-256 of their content, written once; the JSON file names them.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Adapter } from 'lowdb';
import { TextFile } from 'lowdb/node';
import { EdgeError } from '../base/errors.ts';
import type { CloudData, FunctionRecord } from './data.ts';
import { writeFileAtomic } from '../base/atomic-file.ts';

/** A function record as the JSON file holds it: its code named by hash. */
type StoredFunction = Omit<FunctionRecord, 'code'> & { codeHash: string };

/** The largest JSON file written; V8 cannot build a string past about 512 MB, and long before that a write would stall the server. */
export const MAX_DATABASE_BYTES = 64 * 1024 * 1024;

const HASH = /^[0-9a-f]{64}$/;

export interface CodeSplitFileOptions {
  /** The JSON file; code goes into `code/` beside it. */
  file: string;
  maxBytes?: number;
}

export class CodeSplitFile implements Adapter<CloudData> {
  #file: TextFile;
  #codeDir: string;
  #maxBytes: number;
  /** Code text → its hash. V8 keeps a string's hash inside the string, so a lookup of unchanged code costs nothing. */
  #hashes = new Map<string, string>();
  /** Writes one at a time: each one's clean-up must see only the files its own JSON names. */
  #writing: Promise<void> = Promise.resolve();

  constructor(options: CodeSplitFileOptions) {
    this.#file = new TextFile(options.file);
    this.#codeDir = join(options.file, '..', 'code');
    this.#maxBytes = options.maxBytes ?? MAX_DATABASE_BYTES;
  }

  async read(): Promise<CloudData | null> {
    const text = await this.#file.read();
    if (text === null) return null;
    const data = JSON.parse(text) as CloudData;
    for (const app of data.apps ?? []) {
      app.functions = await Promise.all(app.functions.map((fn) => this.#inline(fn as FunctionRecord | StoredFunction)));
    }
    // Code files no JSON names: left by a write that failed, or by a crash between a write and its clean-up.
    await this.#removeUnnamed();
    return data;
  }

  write(data: CloudData): Promise<void> {
    const next = this.#writing.then(() => this.#write(data));
    this.#writing = next.catch(() => undefined);
    return next;
  }

  async #inline(fn: FunctionRecord | StoredFunction): Promise<FunctionRecord> {
    // A file from before code was kept apart holds it inline; the next write moves it out.
    if (!('codeHash' in fn)) return fn;
    if (!HASH.test(fn.codeHash)) throw new Error(`the cloud's database names code "${fn.codeHash}", which is not a SHA-256 hash`);
    const { codeHash, ...rest } = fn;
    const code = await readFile(join(this.#codeDir, codeHash), 'utf8');
    this.#hashes.set(code, codeHash);
    return { ...rest, code };
  }

  async #write(data: CloudData): Promise<void> {
    const hashes = new Map<string, string>();
    const added: Array<[string, string]> = [];
    const apps = data.apps.map((app) => ({
      ...app,
      functions: app.functions.map(({ code, ...fn }): StoredFunction => {
        let hash = hashes.get(code) ?? this.#hashes.get(code);
        if (hash === undefined) {
          hash = createHash('sha256').update(code).digest('hex');
          added.push([hash, code]);
        }
        hashes.set(code, hash);
        return { ...fn, codeHash: hash };
      }),
    }));
    const text = this.#serialise({ ...data, apps });
    // Code first: the JSON file never names code that is not there yet.
    await mkdir(this.#codeDir, { recursive: true, mode: 0o700 });
    await Promise.all(added.map(([hash, code]) => this.#writeCode(hash, code)));
    await this.#file.write(text);
    const kept = new Set(hashes.values());
    const dropped = [...new Set(this.#hashes.values())].filter((hash) => !kept.has(hash));
    this.#hashes = hashes;
    await Promise.all(dropped.map((hash) => rm(join(this.#codeDir, hash), { force: true })));
  }

  #serialise(data: unknown): string {
    let text: string;
    try {
      text = JSON.stringify(data);
    } catch (error) {
      throw this.#full(`it could not be serialised (${(error as Error).message})`);
    }
    if (Buffer.byteLength(text) > this.#maxBytes) throw this.#full(`it would be larger than ${this.#maxBytes} bytes`);
    return text;
  }

  #full(why: string): EdgeError {
    return new EdgeError('STORAGE_FULL', `the change was not saved: the cloud's database is full (${why}); the operator must remove accounts or data`);
  }

  async #writeCode(hash: string, code: string): Promise<void> {
    await writeFileAtomic(join(this.#codeDir, hash), code, { mode: 0o600 });
  }

  async #removeUnnamed(): Promise<void> {
    const named = new Set(this.#hashes.values());
    const names = await readdir(this.#codeDir).catch(() => [] as string[]);
    await Promise.all(names.filter((name) => !named.has(name)).map((name) => rm(join(this.#codeDir, name), { force: true })));
  }
}
