/**
 * @module The courier's schedule ledger: the last slot each folder app's schedule ran, in `schedules.json` beside the
 * journal (outside the root, so it never syncs), replaced whole at each change, so that a restart runs a missed slot
 * at most once. `edgecourier schedules --root` reads it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../base/atomic-file.ts';
import type { ScheduleLedger, ScheduleRecord } from '../runtime/scheduler.ts';

/** The ledger's file in a courier's home in the state folder. */
export const scheduleLedgerPath = (home: string) => join(home, 'schedules.json');

const recordSchema = z.object({
  timing: z.string(),
  lastSlot: z.number(),
  skipped: z.number(),
  lastRun: z
    .object({ slot: z.string(), startedAt: z.string(), endedAt: z.string().optional(), outcome: z.string().optional(), ref: z.string().optional() })
    .optional(),
});

/** By app folder name, then schedule name. */
const ledgerSchema = z.record(z.string(), z.record(z.string(), recordSchema));
export type LedgerContent = z.infer<typeof ledgerSchema>;

/** The file's records; none when there is no file, or one this version cannot read (the schedules then start afresh). */
export async function readScheduleLedger(file: string): Promise<LedgerContent> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '{}';
    throw error;
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  const parsed = ledgerSchema.safeParse(json);
  return parsed.success ? parsed.data : {};
}

/**
 * Opens the ledger in `file`; writes go one after another, each the whole file.
 * @example const ledger = await openScheduleLedger(scheduleLedgerPath(home))
 */
export async function openScheduleLedger(file: string): Promise<ScheduleLedger> {
  const content = await readScheduleLedger(file);
  let writing: Promise<void> = Promise.resolve();
  const write = () => {
    const text = JSON.stringify(content);
    writing = writing.catch(() => undefined).then(() => writeFileAtomic(file, text));
    return writing;
  };
  return {
    get: (app, name) => content[app]?.[name],
    put(app, name, record: ScheduleRecord) {
      (content[app] ??= {})[name] = record;
      return write();
    },
    drop(app) {
      delete content[app];
      return write();
    },
  };
}
