/**
 * @module A courier's profiles of its folder apps: every call of every request's tree counted against its app and
 * function version, kept in the root's state folder (read back at start, written a moment after calls and at stop),
 * and, in fleet mode, what ran since the last report to the cloud, held until a report takes it; each call is also
 * handed to a sink when there is one (under `edgecourier start --owner`, the cloud beside the courier).
 */
import type { Logger } from 'pino';
import type { CallObserver } from '../runtime/call-trace.ts';
import type { ProfileSample } from '../runtime/profiles.ts';
import { sampleOf } from '../runtime/profile-samples.ts';
import { AppProfileBooks, type AppDigests } from './app-profile-books.ts';
import { DEFAULT_PROFILE_FILE_BYTES, readProfileFile, writeProfileFile } from './profile-file.ts';

/** What a fleet courier may hold for the cloud while reports fail: past it, the versions called least recently go. */
export const MAX_UNREPORTED_BYTES = 2 * 1024 * 1024;

/** Where each call of app folder `app` counts as well: the cloud app published from that folder, when there is one. */
export type ProfileSink = (app: string, sample: ProfileSample) => void;

export interface CourierProfilesOptions {
  /** The profiles file (state-home.ts, PROFILES_FILE). */
  file: string;
  /** The bound on the file; DEFAULT_PROFILE_FILE_BYTES unless given. */
  maxBytes?: number;
  /** Keep what ran since the last report as well (fleet mode). */
  reporting?: boolean;
  /** How long after a call the file is written: calls in between are written together. */
  saveAfterMs?: number;
  /** Told of every call too; none unless given. */
  sink?: ProfileSink;
  logger: Logger;
}

export class CourierProfiles {
  #options: CourierProfilesOptions & { maxBytes: number; saveAfterMs: number };
  #books: AppProfileBooks;
  #unreported?: AppProfileBooks;
  #timer?: NodeJS.Timeout;
  #saving: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(options: CourierProfilesOptions, apps: AppDigests[]) {
    this.#options = { maxBytes: DEFAULT_PROFILE_FILE_BYTES, saveAfterMs: 2000, ...options };
    this.#books = new AppProfileBooks(apps);
    this.#unreported = options.reporting ? new AppProfileBooks() : undefined;
  }

  /** Reads the file back; a file that cannot be used costs one warning and starts a fresh book, never the courier. */
  static async open(options: CourierProfilesOptions): Promise<CourierProfiles> {
    const reading = await readProfileFile(options.file, options.maxBytes);
    if (!reading.ok) options.logger.warn({ file: options.file, problem: reading.problem }, 'the profiles file cannot be used; starting fresh profiles');
    return new CourierProfiles(options, reading.ok ? reading.apps : []);
  }

  /** Counts each call of a request's tree of `app` as it ends. */
  observer(app: string): CallObserver {
    return (trace) => {
      const sample = sampleOf(trace, 'courier');
      if (!sample) return;
      this.#books.record(app, sample);
      this.#unreported?.record(app, sample);
      this.#options.sink?.(app, sample);
      this.#scheduleSave();
    };
  }

  /** Every app's digests as kept now. */
  entries(): AppDigests[] {
    return this.#books.entries();
  }

  /** What ran since the last report, leaving nothing behind: give it back with `giveBack` if the report fails. */
  takeUnreported(): AppDigests[] {
    return this.#unreported?.take() ?? [];
  }

  /** Whether anything ran since the last report. */
  hasUnreported(): boolean {
    return this.#unreported !== undefined && !this.#unreported.empty;
  }

  /** Puts back what a failed report took, merged with what ran since, within MAX_UNREPORTED_BYTES. */
  giveBack(entries: readonly AppDigests[]): void {
    if (!this.#unreported) return;
    for (const { app, digests } of entries) this.#unreported.merge(app, digests);
    const dropped = this.#unreported.trim(MAX_UNREPORTED_BYTES);
    if (dropped > 0) this.#options.logger.warn({ dropped }, 'profiles waiting for the cloud passed their bound; the oldest versions are dropped');
  }

  /** Writes what is pending now and resolves once it is on disk. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#saving = this.#saving.then(() => this.#save());
    return this.#saving;
  }

  /** Writes the file a last time; later calls are still counted (for a report) but no longer written. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  #scheduleSave(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => void this.flush(), this.#options.saveAfterMs);
  }

  async #save(): Promise<void> {
    const { file, maxBytes, logger } = this.#options;
    const dropped = this.#books.trim(maxBytes);
    if (dropped > 0) logger.info({ file, dropped, maxBytes }, 'profiles passed their bound; the versions called least recently are dropped');
    // A full disk or a state folder taken away must not stop the courier: the profiles stay in memory for the next try.
    await writeProfileFile(file, this.#books.entries()).catch((error: unknown) =>
      logger.warn({ file, error: (error as Error).message }, 'could not write the profiles file'),
    );
  }
}
