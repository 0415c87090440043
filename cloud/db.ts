/**
 * @module Opens the cloud's lowdb file. Only one process may write it: lowdb rewrites the whole file on
 * each write (function code and app files are kept in the blob store beside it; see code-split-file.ts). After a write
 * refused for STORAGE_FULL, memory holds what the file holds again.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import type { BlobStore } from './blob-store.ts';
import { CodeSplitFile } from './code-split-file.ts';
import { emptyData, type CloudData } from './data.ts';
import { keepRenewals } from './leases.ts';

export type CloudDb = Low<CloudData>;

export async function openDb(file: string, options: { maxBytes?: number; blobs?: BlobStore } = {}): Promise<CloudDb> {
  await mkdir(dirname(file), { recursive: true });
  // What the file holds, with the lease renewals memory held but never writes (cloud/leases.ts).
  const reloaded = (saved: CloudData | null, refused: CloudData) => {
    db.data = { ...emptyData(), ...saved };
    keepRenewals(db.data, refused);
  };
  const db = new Low<CloudData>(new CodeSplitFile({ file, ...options, reloaded }), emptyData());
  await db.read();
  db.data = { ...emptyData(), ...db.data };
  return db;
}

/** Removes the records of `collection` that `matches`, writing the file only when one went; true when one did. */
export async function removeWhere<K extends keyof CloudData>(db: CloudDb, collection: K, matches: (record: CloudData[K][number]) => boolean): Promise<boolean> {
  const records = db.data[collection] as Array<CloudData[K][number]>;
  const kept = records.filter((record) => !matches(record));
  if (kept.length === records.length) return false;
  (db.data[collection] as Array<CloudData[K][number]>) = kept;
  await db.write();
  return true;
}
