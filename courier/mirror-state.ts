/** @module What a remote mirror remembers across restarts: its cursor, the revisions it downloaded and the results it uploaded. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

const stateSchema = z.object({
  cursor: z.string().optional(),
  /** Remote path → revision last downloaded. */
  revs: z.record(z.string(), z.string()),
  /** Local result path → sha256 of the content last uploaded. */
  uploaded: z.record(z.string(), z.string()),
});

export type MirrorState = z.infer<typeof stateSchema>;

export async function loadMirrorState(file: string): Promise<MirrorState> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const parsed = text === undefined ? undefined : stateSchema.safeParse(JSON.parse(text));
  return parsed?.success ? parsed.data : { revs: {}, uploaded: {} };
}

export async function saveMirrorState(file: string, state: MirrorState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, JSON.stringify(state));
  await rename(temp, file);
}
