/**
 * @module A fleet courier's reports of what its roots' folder apps ran (docs/fleet-api.md, "Profile reports"): every
 * so often, and once more at stop, it takes what each root's profiles hold since the last report and sends it to the
 * cloud in reports within the caps. What the cloud does not take goes back to its root's profiles (bounded there) and
 * rides with the next report, but for a report it refuses as invalid, which no later report could carry either; a
 * failed report never stops the courier.
 */
import type { Logger } from 'pino';
import { EdgeError } from '../base/errors.ts';
import { asFleetReport, reportGroups, type RootAppDigests } from '../api/profile-batches.ts';
import { profilePaths } from '../api/profiles.ts';
import type { CourierProfiles } from './courier-profiles.ts';
import type { FleetTransport } from './fleet-client.ts';

/** How often a fleet courier reports by default. */
export const DEFAULT_PROFILE_REPORT_MS = 30_000;

export interface ProfileReporterOptions {
  transport: FleetTransport;
  /** The id the courier's registration gave it now: the cloud merges only what the roots that courier holds ran. */
  courierId: () => string;
  everyMs: number;
  logger: Logger;
}

interface Source {
  profiles: CourierProfiles;
  /** The root was let go: once nothing of it waits, it is forgotten. */
  released: boolean;
}

export class ProfileReporter {
  #options: ProfileReporterOptions;
  #sources = new Map<string, Source>();
  #timer?: NodeJS.Timeout;
  #reporting?: Promise<void>;

  constructor(options: ProfileReporterOptions) {
    this.#options = options;
  }

  /** Reports what `profiles` gather for `rootId` from now on. */
  add(rootId: string, profiles: CourierProfiles): void {
    // A root let go and taken back before its last calls were reported: they ride with the new profiles.
    const before = this.#sources.get(rootId);
    if (before && before.profiles !== profiles) profiles.giveBack(before.profiles.takeUnreported());
    this.#sources.set(rootId, { profiles, released: false });
  }

  /** The root was let go: what it ran is still reported, then it is forgotten. */
  release(rootId: string, profiles: CourierProfiles): void {
    const source = this.#sources.get(rootId);
    // A root let go and taken again meanwhile has new profiles of its own.
    if (source?.profiles === profiles) source.released = true;
  }

  start(): void {
    this.#timer = setTimeout(() => void this.report().finally(() => this.#timer && this.start()), this.#options.everyMs);
  }

  /** Stops the timer and sends what is left (call after the roots stopped, so their last calls are in it). */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.report();
  }

  /** Sends everything gathered since the last report; one report at a time. */
  report(): Promise<void> {
    this.#reporting ??= this.#send().finally(() => (this.#reporting = undefined));
    return this.#reporting;
  }

  async #send(): Promise<void> {
    const taken: RootAppDigests[] = [];
    for (const [rootId, source] of this.#sources) {
      for (const { app, digests } of source.profiles.takeUnreported()) taken.push({ rootId, app, digests });
    }
    let sent = 0;
    for (const group of reportGroups(taken)) {
      try {
        await this.#options.transport.request('POST', profilePaths.fleet, asFleetReport(this.#options.courierId(), group));
        sent += group.reduce((sum, entry) => sum + entry.digests.length, 0);
      } catch (error) {
        // The cloud read the report and refused what it says (figures it cannot take, calls ending a day ahead of its
        // clock): given back, merged with later calls of the same versions, it would be refused for ever and take
        // every later report of these roots with it.
        if (error instanceof EdgeError && error.code === 'INVALID_INPUT') {
          this.#options.logger.error({ error: error.message }, 'the cloud refused a profile report as invalid; its calls are not sent again');
          continue;
        }
        this.#options.logger.warn({ error: (error as Error).message }, 'the cloud did not take a profile report; it goes with the next one');
        for (const { rootId, app, digests } of group) this.#sources.get(rootId)?.profiles.giveBack([{ app, digests }]);
      }
    }
    if (sent > 0) this.#options.logger.debug({ digests: sent }, 'profiles reported');
    for (const [rootId, source] of this.#sources) {
      if (source.released && !source.profiles.hasUnreported()) this.#sources.delete(rootId);
    }
  }
}
