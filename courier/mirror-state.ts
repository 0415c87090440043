/**
 * @module What a remote mirror remembers across restarts: its cursor, the revisions it downloaded, the results it
 * uploaded and the changes it could not apply yet.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { writeFileAtomic } from '../base/atomic-file.ts';

const stateSchema = z.object({
  cursor: z.string().optional(),
  /** Remote path → revision last downloaded. */
  revs: z.record(z.string(), z.string()),
  /** Local result path (platform separator) → sha256 of the content last uploaded. */
  uploaded: z.record(z.string(), z.string()),
  /** Remote path → a change the cursor moved past that could not be applied: tried again at every pull. */
  failed: z.record(z.string(), z.object({ path: z.string(), kind: z.enum(['file', 'folder', 'deleted']), rev: z.string(), size: z.number() })).default({}),
});

export type MirrorState = z.infer<typeof stateSchema>;

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

export const emptyMirrorState = (): MirrorState => ({ revs: {}, uploaded: {}, failed: {} });

/** Forgets what `state` holds for the remote path `path` and, unless it is a file downloaded here, everything under it. */
export function forgetPath(state: MirrorState, path: string): void {
  const local = path.split('/').join(sep);
  const file = path in state.revs;
  delete state.revs[path];
  delete state.failed[path];
  delete state.uploaded[local];
  if (file) return;
  const drop = (record: Record<string, unknown>, prefix: string) =>
    Object.keys(record)
      .filter((key) => key.startsWith(prefix))
      .forEach((key) => delete record[key]);
  drop(state.revs, `${path}/`);
  drop(state.failed, `${path}/`);
  drop(state.uploaded, `${local}${sep}`);
}

/** The state file of one mirror. Saves go one at a time: those asked for while one runs become one more write of the latest state. */
export class MirrorStateFile {
  #file: string;
  #logger: Logger;
  #latest: MirrorState = emptyMirrorState();
  #writing: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;

  constructor(file: string, logger: Logger) {
    this.#file = file;
    this.#logger = logger;
  }

  async load(): Promise<MirrorState> {
    const text = await readFile(this.#file, 'utf8').catch(() => undefined);
    if (text === undefined) return emptyMirrorState();
    const parsed = stateSchema.safeParse(parseJson(text));
    if (parsed.success) return parsed.data;
    // Starting empty means a full listing that downloads everything again, and every result is uploaded
    // again; the journal knows the finished requests, so none of them runs again.
    this.#logger.warn({ file: this.#file }, 'the mirror state file is unreadable; starting from an empty state');
    return emptyMirrorState();
  }

  /** Resolves once a write that began after this call is on disk. */
  save(state: MirrorState): Promise<void> {
    this.#latest = state;
    if (!this.#queued) {
      const queued = this.#writing
        .catch(() => undefined)
        .then(() => {
          this.#queued = undefined;
          return this.#write(this.#latest);
        });
      this.#queued = queued;
      this.#writing = queued;
    }
    return this.#queued;
  }

  async #write(state: MirrorState): Promise<void> {
    await mkdir(dirname(this.#file), { recursive: true });
    await writeFileAtomic(this.#file, JSON.stringify(state));
  }
}
