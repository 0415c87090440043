/**
 * @module How profile reports are cut to fit the caps of api/profiles.ts and the cloud's body limit: digests
 * grouped as they come, a new report begun whenever one more would pass a cap, none ever dropped.
 */
import type { ProfileDigest } from '../runtime/profiles.ts';
import { MAX_DIGESTS_PER_REPORT, type FleetReport } from './profiles.ts';

/** Bytes of JSON per report: well under the cloud's 1 MiB body limit, with room for the framing. */
export const MAX_REPORT_BYTES = 768 * 1024;
const MAX_ROOTS = 100;
const MAX_APPS_PER_ROOT = 1000;

/** Digests of one app folder of one root, as a fleet report lists them. */
export interface RootAppDigests {
  rootId: string;
  app: string;
  digests: ProfileDigest[];
}

/**
 * Cuts `entries` into groups that each make one fleet report within the caps: at most MAX_DIGESTS_PER_REPORT digests
 * in all, 100 roots, 1000 apps a root, and MAX_REPORT_BYTES of digests. A group keeps entries whole where it can.
 * @example for (const group of reportGroups(entries)) await send(asFleetReport(courierId, group))
 */
export function reportGroups(entries: readonly RootAppDigests[], maxBytes = MAX_REPORT_BYTES): RootAppDigests[][] {
  const groups: RootAppDigests[][] = [];
  let group: RootAppDigests[] = [];
  let digests = 0;
  let bytes = 0;
  const close = () => {
    if (group.length > 0) groups.push(group);
    group = [];
    digests = 0;
    bytes = 0;
  };
  for (const { rootId, app, digests: all } of entries) {
    for (const digest of all) {
      const size = JSON.stringify(digest).length;
      const roots = new Set(group.map((entry) => entry.rootId));
      const apps = group.filter((entry) => entry.rootId === rootId).length;
      const last = group.at(-1);
      const joins = last?.rootId === rootId && last.app === app;
      const full =
        digests + 1 > MAX_DIGESTS_PER_REPORT ||
        (bytes + size > maxBytes && digests > 0) ||
        (!joins && ((!roots.has(rootId) && roots.size >= MAX_ROOTS) || apps >= MAX_APPS_PER_ROOT));
      if (full) close();
      const current = group.at(-1);
      if (current?.rootId === rootId && current.app === app) current.digests.push(digest);
      else group.push({ rootId, app, digests: [digest] });
      digests++;
      bytes += size;
    }
  }
  close();
  return groups;
}

/** A group as the body of POST /api/v1/fleet/profiles (`fleetReportRequest`): its entries under their roots. */
export function asFleetReport(courierId: string, group: readonly RootAppDigests[]): FleetReport {
  const roots = new Map<string, Array<{ app: string; digests: ProfileDigest[] }>>();
  for (const { rootId, app, digests } of group) {
    const apps = roots.get(rootId) ?? [];
    apps.push({ app, digests });
    roots.set(rootId, apps);
  }
  return { courierId, roots: [...roots].map(([rootId, apps]) => ({ rootId, apps })) };
}

/** `digests` of one app cut into the bodies of edge reports (`edgeReportRequest`), within the same caps. */
export function edgeReportBodies(digests: readonly ProfileDigest[], maxBytes = MAX_REPORT_BYTES): Array<{ digests: ProfileDigest[] }> {
  return reportGroups([{ rootId: '', app: '', digests: [...digests] }], maxBytes).map((group) => ({ digests: group.flatMap((entry) => entry.digests) }));
}
