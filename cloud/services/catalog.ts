/**
 * @module The catalogue: the apps everyone may read, searched by words of their name and description, newest change
 * first, a page at a time, each with a summary of its active version's profiles. Nothing about their owners is in it:
 * accounts have no public name, and an address is private.
 */
import { ProfileBook } from '../../runtime/profiles.ts';
import type { AppRecord } from '../data.ts';
import { appProfileKey } from '../profiles/keys.ts';
import type { ProfileStore } from '../profiles/store.ts';
import type { AppStore } from '../stores/apps.ts';
import { everyoneAccess } from './app-access.ts';

/** How an app's active version has done, over all its functions and wherever it ran. */
export interface CatalogProfile {
  calls: number;
  errorRate: number;
  /** Over its executed calls; absent when none ran its body. */
  durationMs?: { p50: number; p95: number };
}

export interface CatalogQuery {
  /** Words that must all be in the app's name or description, in any case; none: every listed app. */
  q?: string;
  limit: number;
  offset: number;
}

export interface CatalogPage {
  apps: AppRecord[];
  /** How many apps match, over all pages. */
  total: number;
}

export interface CatalogService {
  search(query: CatalogQuery): CatalogPage;
  /** The profile summary of the app's active version; undefined before any call of it was counted. */
  profileOf(app: AppRecord): CatalogProfile | undefined;
}

const wordsOf = (text: string) => text.toLowerCase().split(/\s+/).filter(Boolean);

/**
 * The catalogue over the app store.
 * @example catalogService({ apps }).search({ q: 'image resize', limit: 20, offset: 0 })
 */
export function catalogService(deps: { apps: Pick<AppStore, 'all'>; profiles: Pick<ProfileStore, 'digests'> }): CatalogService {
  return {
    profileOf(app) {
      if (app.activeVersion === undefined) return undefined;
      // The functions' digests merged as one: their histograms add up, so the percentiles are those of all their calls.
      const all = new ProfileBook();
      for (const digest of deps.profiles.digests(appProfileKey(app.id)))
        if (digest.appVersion === app.activeVersion) all.merge({ ...digest, function: app.name, version: app.activeVersion });
      const summary = all.summary(app.name, app.activeVersion);
      if (!summary) return undefined;
      return {
        calls: summary.calls,
        errorRate: summary.errorRate,
        ...(summary.durationMs && { durationMs: { p50: summary.durationMs.p50, p95: summary.durationMs.p95 } }),
      };
    },
    search({ q = '', limit, offset }) {
      const words = wordsOf(q);
      const matching = deps.apps.all().filter((app) => {
        if (!everyoneAccess(app)) return false;
        const text = `${app.name}\n${app.description}`.toLowerCase();
        return words.every((word) => text.includes(word));
      });
      // Newest change first; the id breaks ties, so pages neither repeat nor skip an app while nothing changes.
      matching.sort((a, b) => (a.updatedAt === b.updatedAt ? (a.id < b.id ? -1 : 1) : a.updatedAt < b.updatedAt ? 1 : -1));
      return { apps: matching.slice(offset, offset + limit), total: matching.length };
    },
  };
}
