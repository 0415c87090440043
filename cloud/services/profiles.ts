/**
 * @module Performance profiles and their rules: an app's profiles read with READ, filtered by function and by a
 * function's or the app's version; an edge run's report merged with RUN, every call in it counted at the edge; a
 * fleet courier's report merged only for the roots it holds a lease on now, every call counted in a courier, and read
 * by the root's owner (and, for a root's app published as a folder app of the root's account, by that app's readers).
 */
import { EdgeError } from '../../base/errors.ts';
import type { EdgeReport, FleetReport } from '../../api/profiles.ts';
import type { ProfileDigest } from '../../runtime/profiles.ts';
import type { AppRecord, RootRecord } from '../data.ts';
import { appProfileKey, rootProfileKey } from '../profiles/keys.ts';
import type { ProfileStore, StoredSummary } from '../profiles/store.ts';
import type { AppStore } from '../stores/apps.ts';
import type { RootStore } from '../stores/roots.ts';
import { appFor } from './app-access.ts';
import type { FleetRegistry } from './fleet.ts';
import type { FolderProfiles } from './folder-profiles.ts';
import type { VersionService } from './versions.ts';

export interface ProfileFilter {
  function?: string;
  /** A function's version as in its call keys, or the app's version: its id, the start of it, or its tag. */
  version?: string;
}

/** What a fleet report did: the roots merged, and those ignored because the courier holds no lease on them now. */
export interface FleetReportOutcome {
  merged: string[];
  ignored: string[];
}

export interface ProfileService {
  list(userId: string, appId: string, filter: ProfileFilter): StoredSummary[];
  reportEdge(userId: string, appId: string, report: EdgeReport): void;
  reportFleet(report: FleetReport): FleetReportOutcome;
  listRoot(userId: string, rootId: string, appFolder: string): StoredSummary[];
}

export interface ProfileServiceDeps {
  apps: Pick<AppStore, 'byId'>;
  versions: Pick<VersionService, 'get'>;
  roots: Pick<RootStore, 'all' | 'list'>;
  fleet: Pick<FleetRegistry, 'holderOf'>;
  store: Pick<ProfileStore, 'summaries' | 'merge'>;
  folderProfiles: Pick<FolderProfiles, 'merge'>;
}

/** Calls one digest of a report may count: far more than any courier or edge run makes between two reports, and bounded so that merged counts stay exact integers. */
const MAX_CALLS_PER_DIGEST = 1_000_000_000;
/** A terabyte: more memory, and more bytes in or out, than one call has. */
const MAX_MEASURE = 2 ** 40;
/** A reporter's clock may run this far ahead of the cloud's. */
const CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

/**
 * Numbers that cannot all be true of one set of calls: a report is refused for them, naming the field, rather than
 * shown as an error rate over 100%.
 */
function inconsistency(digest: ProfileDigest, now: number): string | undefined {
  const served = digest.served.executed + digest.served.cache + digest.served.precomputed;
  const counted = (buckets: ProfileDigest['durationMs']) => buckets.reduce((sum, [, count]) => sum + count, 0);
  if (digest.calls > MAX_CALLS_PER_DIGEST) return `calls: more than ${MAX_CALLS_PER_DIGEST} in one report`;
  if (digest.errors > digest.calls) return 'errors: more errors than calls';
  if (served > digest.calls) return 'served: more calls served than calls';
  if (digest.coldStarts > digest.served.executed) return 'coldStarts: more cold starts than executed calls';
  if (counted(digest.durationMs) > digest.served.executed) return 'durationMs: more durations than executed calls';
  if (counted(digest.coldStartMs) > digest.coldStarts) return 'coldStartMs: more times than cold starts';
  for (const name of ['peakMemoryBytes', 'inputBytes', 'outputBytes'] as const) {
    const { count, sum, max } = digest[name];
    if (count > digest.calls || max > MAX_MEASURE || sum > count * max) return `${name}: figures no set of calls could give`;
  }
  if (digest.firstAt > digest.lastAt) return 'firstAt: after lastAt';
  if (digest.lastAt > now + CLOCK_SKEW_MS) return 'lastAt: in the future';
  return undefined;
}

function assertConsistent(digests: readonly ProfileDigest[], path: string, app?: AppRecord): void {
  const now = Date.now();
  digests.forEach((digest, index) => {
    const at = `${path}.${index}`;
    const problem = inconsistency(digest, now);
    if (problem) throw new EdgeError('INVALID_INPUT', `${at}.${problem}`);
    if (app && !app.functions.some((fn) => fn.name === digest.function))
      throw new EdgeError('INVALID_INPUT', `${at}.function: app "${app.name}" has no function "${digest.function}"`);
  });
}

/**
 * @example profileService({ apps, versions, roots, fleet, store, folderProfiles }).list(user.id, appId, { version: '1.2.0' })
 */
export function profileService(deps: ProfileServiceDeps): ProfileService {
  return {
    list(userId, appId, filter) {
      const app = appFor(deps.apps, userId, appId, 'READ');
      let profiles = deps.store.summaries(appProfileKey(app.id));
      if (filter.function !== undefined) profiles = profiles.filter((profile) => profile.function === filter.function);
      const ref = filter.version;
      if (ref === undefined) return profiles;
      if (profiles.some((profile) => profile.version === ref)) return profiles.filter((profile) => profile.version === ref);
      // Not a function's version: the app's, by id, prefix or tag (VERSION_NOT_FOUND when it is neither).
      const { version } = deps.versions.get(userId, app.id, ref);
      return profiles.filter((profile) => profile.appVersion === version.id);
    },

    reportEdge(userId, appId, report) {
      const app = appFor(deps.apps, userId, appId, 'RUN');
      assertConsistent(report.digests, 'digests', app);
      deps.store.merge(appProfileKey(app.id), app.ownerId, report.digests, 'edge');
    },

    reportFleet(report) {
      const roots = new Map(deps.roots.all().map((root) => [root.id, root]));
      const outcome: FleetReportOutcome = { merged: [], ignored: [] };
      report.roots.forEach((entry, index) => entry.apps.forEach((app, i) => assertConsistent(app.digests, `roots.${index}.apps.${i}.digests`)));
      for (const entry of report.roots) {
        const root = roots.get(entry.rootId);
        if (!root || deps.fleet.holderOf(root)?.id !== report.courierId) {
          outcome.ignored.push(entry.rootId);
          continue;
        }
        for (const app of entry.apps) {
          deps.store.merge(rootProfileKey(root.id, app.app), root.ownerId, app.digests, 'courier');
          deps.folderProfiles.merge(root.ownerId, app.app, app.digests);
        }
        outcome.merged.push(root.id);
      }
      return outcome;
    },

    listRoot(userId, rootId, appFolder) {
      const root: RootRecord | undefined = deps.roots.list(userId).find((candidate) => candidate.id === rootId);
      if (!root) throw new EdgeError('NOT_FOUND', `no root ${rootId} of yours`);
      return deps.store.summaries(rootProfileKey(root.id, appFolder));
    },
  };
}
