/** @module The catalogue: signed-in users list and search the apps everyone may read, a page at a time. */
import { z } from 'zod';
import type { CloudDeps } from '../deps.ts';
import { presentListing } from '../present.ts';
import { route, type Route } from '../route.ts';

export const MAX_CATALOG_PAGE = 100;

const querySchema = z.strictObject({
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_CATALOG_PAGE).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/**
 * GET /catalog.
 * @example app.use('/api/v1', routerOf(catalogRoutes(deps)))
 */
export function catalogRoutes(deps: Pick<CloudDeps, 'catalog' | 'publicUrl'>): Route[] {
  return [
    route({
      method: 'get',
      path: '/catalog',
      summary: 'List the apps everyone may read, newest change first; `q` keeps those whose name or description holds every word of it',
      auth: 'user',
      query: querySchema,
      answers: {
        200: '`{ apps: [{ id, name, description, access, status, functions, endpoints, createdAt, updatedAt, profile? }], total, offset, limit }`; `profile`: `{ calls, errorRate, durationMs?: { p50, p95 } }` of the active version',
      },
      handle({ query }, _req, res) {
        const { apps, total } = deps.catalog.search(query);
        const listed = apps.map((app) => {
          const profile = deps.catalog.profileOf(app);
          return { ...presentListing(app, deps.publicUrl), ...(profile && { profile }) };
        });
        res.json({ apps: listed, total, offset: query.offset, limit: query.limit });
      },
    }),
  ];
}
