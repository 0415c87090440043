/** @module GET /openapi.json: the HTTP API as an OpenAPI 3.1 document, for tools and client generators. */
import { route, type Route } from '../route.ts';

/**
 * The route serving `describe()`'s document, made at the first request: most runs of the cloud never need it.
 * @example ['/', openApiRoutes(() => openApiDocument(groups, deps.publicUrl))]
 */
export function openApiRoutes(describe: () => object): Route[] {
  let document: object | undefined;
  return [
    route({
      method: 'get',
      path: '/openapi.json',
      summary: 'This API as an OpenAPI 3.1 document',
      auth: 'anyone',
      answers: { 200: 'the document' },
      handle(_input, _req, res) {
        document ??= describe();
        res.json(document);
      },
    }),
  ];
}
