/**
 * @module The schedules of the root's folder apps: read from each app's app.json when the app is found or changes
 * (after it settles), run by the scheduler through the same runner as request files, each run's answer written to
 * `results/<schedule>@<slot>.json`, where the last KEPT_RESULTS of each schedule are kept.
 */
import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { newActivationId } from '../api/activation-ids.ts';
import { EdgeError } from '../base/errors.ts';
import { canonicalJson } from '../runtime/call-key.ts';
import type { Schedule } from '../runtime/schedule.ts';
import type { RunOutcome, Scheduler } from '../runtime/scheduler.ts';
import type { AppCache } from './app-cache.ts';
import type { RequestRunner } from './request-runner.ts';
import { removePending, writeResult } from './result-files.ts';

/** Results kept per schedule: older ones are removed as new ones come, so a schedule every second cannot fill the folder. */
export const KEPT_RESULTS = 100;

/**
 * A slot as a file name: ISO 8601 in UTC without colons (Windows, and so OneDrive, refuses them), sorting by time.
 * `@` sets it apart from request ids, which cannot hold one, so a schedule's result never takes a request's name.
 * @example scheduledResultName('nightly', Date.parse('2026-12-07T08:00:00Z')) // 'nightly@2026-12-07T08-00-00Z'
 */
export function scheduledResultName(name: string, slot: number): string {
  return `${name}@${new Date(slot)
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replaceAll(':', '-')}`;
}

export interface FolderSchedulesOptions {
  root: string;
  apps: AppCache;
  runner: RequestRunner;
  scheduler: Scheduler;
  settleMs: number;
  logger: Logger;
  /** Told of every result file written (path relative to the root) and its outcome, as for requests. */
  onResult?: (path: string, outcome: string) => void;
}

export class FolderSchedules {
  #options: FolderSchedulesOptions;
  #logger: Logger;
  /** Apps whose schedules are read again once they settle: one read however many events come meanwhile. */
  #waiting = new Set<string>();
  #closed = false;

  constructor(options: FolderSchedulesOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'schedules' });
  }

  /** The app was found, changed or removed: its schedules are read again once its files settle. */
  appChanged(app: string): void {
    if (this.#closed || this.#waiting.has(app)) return;
    this.#waiting.add(app);
    void this.#options.apps
      .settled(app, this.#options.settleMs)
      .then(() => {
        this.#waiting.delete(app);
        return this.#refresh(app);
      })
      .catch((error: unknown) => this.#logger.error({ err: error, app }, 'could not read the schedules of an app'));
  }

  /** No app is read again after this; the scheduler is closed by whoever made it. */
  close(): void {
    this.#closed = true;
  }

  async #refresh(app: string): Promise<void> {
    if (this.#closed) return;
    const { apps, scheduler } = this.#options;
    const run = (name: string, schedule: Schedule, slot: number) => this.#run(app, name, schedule, slot);
    try {
      const loaded = await apps.get(app);
      const schedules = loaded.config.schedules ?? {};
      if (!this.#closed) scheduler.sync(app, schedules, run);
      if (Object.keys(schedules).length > 0) this.#logger.info({ app, schedules: Object.keys(schedules) }, 'schedules of the app are running');
    } catch (error) {
      scheduler.sync(app, {}, run);
      // A folder that is no app (or no longer one) has no schedules to speak of; a broken app.json is worth saying.
      if (error instanceof EdgeError && error.code === 'NOT_AN_APP') return;
      this.#logger.warn(
        { app, code: error instanceof EdgeError ? error.code : undefined, message: (error as Error).message },
        'the app cannot be loaded: its schedules do not run',
      );
    }
  }

  /**
   * One run, as a request file of the same function and input would run, its answer a result file. A platform
   * failure (BUSY, ...) is its result, not tried again: the next slot is the next try, and a retry could run beside it.
   */
  async #run(app: string, name: string, schedule: Schedule, slot: number): Promise<RunOutcome> {
    const { root, runner, onResult } = this.#options;
    const id = scheduledResultName(name, slot);
    const result = join(app, 'results', `${id}.json`);
    const pendingFile = join(root, app, 'results', `${id}.pending.json`);
    const request = { function: schedule.function, input: schedule.input ?? null };
    const hash = createHash('sha256').update(canonicalJson(request)).digest('hex');
    const started = Date.now();
    const answer = await runner.run({ app, request, hash, pendingFile });
    const activationId = newActivationId();
    await writeResult(join(root, result), { activationId, ...answer.result, schedule: { name, slot: new Date(slot).toISOString() } });
    if (answer.pendingShown) await removePending(pendingFile);
    const outcome = answer.result.ok ? 'ok' : answer.result.error.code;
    onResult?.(result, outcome);
    this.#logger.info({ app, schedule: name, fn: schedule.function, id, activationId, outcome, ms: Date.now() - started }, 'scheduled run');
    await this.#prune(app, name);
    return { outcome, ref: result };
  }

  async #prune(app: string, name: string): Promise<void> {
    const folder = join(this.#options.root, app, 'results');
    const names = await readdir(folder).catch(() => [] as string[]);
    const mine = names.filter((file) => file.startsWith(`${name}@`) && file.endsWith('.json') && !file.endsWith('.pending.json')).sort();
    for (const old of mine.slice(0, Math.max(0, mine.length - KEPT_RESULTS))) await rm(join(folder, old), { force: true });
  }
}
