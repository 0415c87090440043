/** @module Opens the cloud's lowdb file. Only one process may write it: lowdb rewrites the whole file on each write. */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { emptyData, type CloudData } from './data.ts';

export type CloudDb = Low<CloudData>;

export async function openDb(file: string): Promise<CloudDb> {
  await mkdir(dirname(file), { recursive: true });
  const db = new Low<CloudData>(new JSONFile<CloudData>(file), emptyData());
  await db.read();
  db.data = { ...emptyData(), ...db.data };
  return db;
}
