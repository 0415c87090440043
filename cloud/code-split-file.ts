/**
 * @module A lowdb adapter for the cloud's database that keeps function code and versions' content out of the JSON
 * file. lowdb serialises the whole file on every change, and code is nearly all of its bytes: with code inline, one
 * account holding 8 MB of it made every write (a login, a token) block the server for 140-200 ms. A version's content
 * (its settings and file list, up to 20 of them per app) would multiply an app's share the same way. Both are kept
 * in the blob store (blob-store.ts), beside the apps' other files; the JSON file names the blobs, and tells the store
 * after each write which ones it names: those of every app and of every version kept. A write refused for
 * STORAGE_FULL puts the file's records back in memory (see `reloaded`), so the refused change is gone and later
 * writes that fit are saved.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Adapter } from 'lowdb';
import { TextFile } from 'lowdb/node';
import { EdgeError } from '../base/errors.ts';
import { BlobStore, isBlobHash } from './blob-store.ts';
import type { AppRecord, CloudData, FunctionRecord, VersionContent, VersionRecord } from './data.ts';

/** A function record as the JSON file holds it: its code named by hash. */
type StoredFunction = Omit<FunctionRecord, 'code'> & { codeHash: string };

/** A version as the JSON file holds it: its content named by hash. */
type StoredVersion = Omit<VersionRecord, 'content'> & { contentHash: string };

/** The largest JSON file written; V8 cannot build a string past about 512 MB, and long before that a write would stall the server. */
export const MAX_DATABASE_BYTES = 64 * 1024 * 1024;

export interface CodeSplitFileOptions {
  /** The JSON file. */
  file: string;
  /** Where code goes; `blobs/` beside the file unless given. */
  blobs?: BlobStore;
  maxBytes?: number;
  /**
   * Called inside the write queue after a write was refused for STORAGE_FULL, with what the file holds (null: no file
   * yet) and the refused data; the caller puts the file's records in place of the refused data, which is not written again.
   */
  reloaded: (saved: CloudData | null, refused: CloudData) => void;
}

/** Every blob the records name: functions' code and apps' files, and of each version its content, its code, its files and its lock file. */
function namedBlobs(apps: Array<Pick<AppRecord, 'files'> & { functions: StoredFunction[] }>, versions: Array<[StoredVersion, VersionContent]>): Set<string> {
  const named = new Set<string>();
  for (const app of apps) {
    for (const fn of app.functions) named.add(fn.codeHash);
    for (const file of app.files) named.add(file.sha256);
  }
  for (const [version, content] of versions) {
    named.add(version.contentHash);
    for (const fn of content.functions) named.add(fn.codeSha256);
    for (const file of content.files) named.add(file.sha256);
    if (version.dependencies?.lockFile) named.add(version.dependencies.lockFile.sha256);
  }
  return named;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class CodeSplitFile implements Adapter<CloudData> {
  #file: TextFile;
  #blobs: BlobStore;
  /** Where code was kept before the blob store held app files too; moved into it on read. */
  #legacyCodeDir: string;
  #maxBytes: number;
  /** Code text → its hash. V8 keeps a string's hash inside the string, so a lookup of unchanged code costs nothing. */
  #hashes = new Map<string, string>();
  /** The hash of each version's content, which is never changed once made, so it is serialised once. */
  #contentHashes = new WeakMap<VersionContent, string>();
  /** The content blobs the last write named: those are in the store; any other is written before the JSON names it. */
  #contents = new Set<string>();
  /** Writes one at a time: each one's clean-up must see only the files its own JSON names. */
  #writing: Promise<void> = Promise.resolve();
  /** Data a refused write held, replaced by the file's records: writes still queued with it carry changes that were dropped. */
  #dropped = new WeakSet<CloudData>();
  #reloaded: CodeSplitFileOptions['reloaded'];

  constructor(options: CodeSplitFileOptions) {
    this.#file = new TextFile(options.file);
    this.#blobs = options.blobs ?? new BlobStore(join(options.file, '..', 'blobs'));
    this.#legacyCodeDir = join(options.file, '..', 'code');
    this.#maxBytes = options.maxBytes ?? MAX_DATABASE_BYTES;
    this.#reloaded = options.reloaded;
  }

  async read(): Promise<CloudData | null> {
    await this.#moveLegacyCode();
    const loaded = await this.#load();
    // Blobs no JSON names: left by a write or an upload that failed, or by a crash before a clean-up.
    await this.#blobs.sweep(loaded?.named ?? new Set());
    return loaded?.data ?? null;
  }

  write(data: CloudData): Promise<void> {
    const next = this.#writing.then(() => this.#writeOrReload(data));
    this.#writing = next.catch(() => undefined);
    return next;
  }

  /**
   * The file's records with their code and versions' content read back in, and every blob they name; nothing on disk
   * changes (a reload after a refused write must not sweep: the blob store's clean-up follows the writes alone).
   */
  async #load(): Promise<{ data: CloudData; named: Set<string> } | null> {
    const text = await this.#file.read();
    if (text === null) return null;
    const data = JSON.parse(text) as CloudData;
    const named = new Set<string>();
    for (const app of data.apps ?? []) {
      // Apps stored before they held files have none.
      app.files ??= [];
      for (const file of app.files) named.add(file.sha256);
      app.functions = await Promise.all(app.functions.map((fn) => this.#inline(fn as FunctionRecord | StoredFunction)));
    }
    for (const hash of this.#hashes.values()) named.add(hash);
    // Files stored before there were versions have none.
    const stored = (data.versions ?? []) as unknown as StoredVersion[];
    data.versions = await Promise.all(stored.map((version) => this.#inlineVersion(version)));
    for (const hash of namedBlobs(
      [],
      stored.map((version, i) => [version, data.versions[i]!.content]),
    ))
      named.add(hash);
    return { data, named };
  }

  async #writeOrReload(data: CloudData): Promise<void> {
    if (this.#dropped.has(data)) throw droppedChange();
    try {
      await this.#write(data);
    } catch (error) {
      if (!(error instanceof EdgeError && error.code === 'STORAGE_FULL')) throw error;
      // The refused change stays out of memory too, or every later write, whoever makes it, would carry it and be refused.
      const saved = await this.#load();
      this.#dropped.add(data);
      this.#reloaded(saved?.data ?? null, data);
      throw error;
    }
  }

  async #inline(fn: FunctionRecord | StoredFunction): Promise<FunctionRecord> {
    // A file from before code was kept apart holds it inline; the next write moves it out.
    if (!('codeHash' in fn)) return fn;
    if (!isBlobHash(fn.codeHash)) throw new Error(`the cloud's database names code "${fn.codeHash}", which is not a SHA-256 hash`);
    const { codeHash, ...rest } = fn;
    const code = await readFile(this.#blobs.path(codeHash), 'utf8');
    this.#hashes.set(code, codeHash);
    return { ...rest, code };
  }

  async #inlineVersion({ contentHash, ...version }: StoredVersion): Promise<VersionRecord> {
    if (!isBlobHash(contentHash)) throw new Error(`the cloud's database names a version's content "${contentHash}", which is not a SHA-256 hash`);
    const content = JSON.parse(await readFile(this.#blobs.path(contentHash), 'utf8')) as VersionContent;
    this.#contentHashes.set(content, contentHash);
    this.#contents.add(contentHash);
    return { ...version, content };
  }

  /** Each version with its content named by hash, and the content blobs to write first: those the last write did not name. */
  #splitVersions(versions: VersionRecord[], added: Array<[string, string]>): Array<[StoredVersion, VersionContent]> {
    return versions.map(({ content, ...version }) => {
      let hash = this.#contentHashes.get(content);
      if (hash === undefined) {
        const text = JSON.stringify(content);
        hash = sha256(text);
        this.#contentHashes.set(content, hash);
        added.push([hash, text]);
      } else if (!this.#contents.has(hash)) added.push([hash, JSON.stringify(content)]);
      return [{ ...version, contentHash: hash }, content];
    });
  }

  async #write(data: CloudData): Promise<void> {
    const hashes = new Map<string, string>();
    const added: Array<[string, string]> = [];
    const apps = data.apps.map((app) => ({
      ...app,
      functions: app.functions.map(({ code, ...fn }): StoredFunction => {
        let hash = hashes.get(code) ?? this.#hashes.get(code);
        if (hash === undefined) {
          hash = sha256(code);
          added.push([hash, code]);
        }
        hashes.set(code, hash);
        return { ...fn, codeHash: hash };
      }),
    }));
    const versions = this.#splitVersions(data.versions, added);
    const text = this.#serialise({ ...data, apps, versions: versions.map(([version]) => version) });
    // Held until the store knows the JSON names them: a change made meanwhile that drops the same code must not remove it.
    const holder = this.#blobs.holder();
    try {
      // Code first: the JSON file never names code that is not there yet.
      await Promise.all(added.map(([, code]) => holder.put(code)));
      await this.#file.write(text);
      this.#hashes = hashes;
      this.#contents = new Set(versions.map(([version]) => version.contentHash));
      await this.#blobs.named(namedBlobs(apps, versions));
    } finally {
      holder.release();
    }
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

  /** A data folder from before the blob store keeps its code in `code/`, under the same names: they move over. */
  async #moveLegacyCode(): Promise<void> {
    const names = await readdir(this.#legacyCodeDir).catch(() => undefined);
    if (!names) return;
    await mkdir(this.#blobs.dir, { recursive: true, mode: 0o700 });
    for (const name of names) await rename(join(this.#legacyCodeDir, name), join(this.#blobs.dir, name));
    await rm(this.#legacyCodeDir, { recursive: true, force: true });
  }
}

/** For a change made beside one that did not fit, and so dropped with it. */
export function droppedChange(): EdgeError {
  return new EdgeError(
    'STORAGE_FULL',
    "the change was not saved: it was made while another change that did not fit in the cloud's database was being saved, and went with it; send it again",
  );
}
