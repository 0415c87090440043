/**
 * @module The catalogue: the apps everyone may read, searched by words of their name and description, newest change
 * first, a page at a time. Nothing about their owners is in it: accounts have no public name, and an address is private.
 */
import type { AppRecord } from '../data.ts';
import type { AppStore } from '../stores/apps.ts';
import { everyoneAccess } from './app-access.ts';

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
}

const wordsOf = (text: string) => text.toLowerCase().split(/\s+/).filter(Boolean);

/**
 * The catalogue over the app store.
 * @example catalogService({ apps }).search({ q: 'image resize', limit: 20, offset: 0 })
 */
export function catalogService(deps: { apps: Pick<AppStore, 'all'> }): CatalogService {
  return {
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
