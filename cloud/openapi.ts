/** @module The cloud's HTTP API as an OpenAPI 3.1 document, generated from the route declarations that serve it (route.ts). */
import { z } from 'zod';
import { errorCatalogue, type ErrorCode } from '../base/errors.ts';
import { httpStatusOf } from './http-status.ts';
import { SESSION_COOKIE } from './auth.ts';
import type { Auth, Route, RouteGroup } from './route.ts';

type JsonObject = Record<string, unknown>;

/** A route's path as OpenAPI writes it: the group's prefix and the route's path joined, `:name` as `{name}`. */
export function documentPath(prefix: string, path: string): string {
  const joined = `${prefix.replace(/\/$/, '')}${path === '/' ? '' : path}` || '/';
  return joined.replace(/:(\w+)/g, '{$1}');
}

/** What a client must send, so the schema of the input: defaults make fields optional. OpenAPI 3.1 speaks JSON Schema 2020-12, zod's default. */
function jsonSchema(schema: z.ZodType): JsonObject {
  const json: JsonObject = z.toJSONSchema(schema, { io: 'input' });
  delete json.$schema;
  return json;
}

const ERROR_REF = '#/components/schemas/Error';
const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', enum: errorCodes }, message: { type: 'string' } },
    },
  },
};

const tokenSecurity = [{ bearer: [] }, { session: [] }];
const security: Record<Auth, JsonObject[]> = { anyone: [{}, ...tokenSecurity], user: tokenSecurity, operator: tokenSecurity };
const whoMayCall: Record<Auth, string> = { anyone: 'Anyone may call it.', user: 'Needs a session or API token.', operator: "Needs an operator's token." };

/** The codes every route of its kind can answer: a declaration with a caller to check or input to parse implies them. */
function impliedErrors(spec: Route): ErrorCode[] {
  const codes: ErrorCode[] = [];
  if (spec.auth !== 'anyone') codes.push('UNAUTHORIZED');
  if (spec.auth === 'operator') codes.push('FORBIDDEN');
  if (spec.body || spec.query || spec.params || spec.raw) codes.push('INVALID_INPUT');
  if (spec.body) codes.push('INVALID_JSON');
  if (spec.body || spec.raw) codes.push('PAYLOAD_TOO_LARGE');
  codes.push('INTERNAL_ERROR');
  return codes;
}

interface Response {
  description: string;
  content?: Record<string, JsonObject>;
}

function errorResponse(codes: ErrorCode[]): Response {
  return {
    description: codes.map((code) => `${code}: ${errorCatalogue[code].summary}`).join(' '),
    content: {
      'application/json': { schema: { allOf: [{ $ref: ERROR_REF }], properties: { error: { properties: { code: { enum: codes } } } } } },
    },
  };
}

/** The declared answers, and the catalogue's errors by status; an HTML page and a JSON error may share a status. */
function responses(spec: Route): Record<string, Response> {
  const produces = spec.produces ?? 'application/json';
  const result: Record<string, Response> = {};
  for (const [status, description] of Object.entries(spec.answers)) {
    result[status] = status === '204' ? { description } : { description, content: { [produces]: {} } };
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...impliedErrors(spec), ...(spec.errors ?? [])])) {
    const status = httpStatusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const error = errorResponse(codes);
    const answer = result[status];
    if (answer?.content?.['application/json']) throw new Error(`${spec.method} ${spec.path} answers ${status} both as JSON and as an error of the catalogue`);
    result[status] = answer ? { description: `${answer.description}; ${error.description}`, content: { ...answer.content, ...error.content } } : error;
  }
  return result;
}

function parameters(path: string, spec: Route): JsonObject[] {
  const declared = spec.params ? (jsonSchema(spec.params).properties as Record<string, JsonObject>) : {};
  const inPath = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: declared[name!] ?? { type: 'string' } }));
  if (!spec.query) return inPath;
  const query = jsonSchema(spec.query);
  const required = (query.required as string[] | undefined) ?? [];
  const inQuery = Object.entries(query.properties as Record<string, JsonObject>).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    schema,
  }));
  return [...inPath, ...inQuery];
}

/** `post /api/v1/apps/{appId}/start` is `postApiV1AppsAppIdStart`. */
function operationId(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method + words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}

/** The request body a route declares: JSON by its schema, or the bytes of a file. */
function requestBody(spec: Route): JsonObject | undefined {
  const { body, raw } = spec;
  if (raw) {
    const schema = { type: 'string', contentMediaType: 'application/octet-stream', description: `Any bytes, at most ${raw.maxBytes}, of any media type.` };
    return { required: true, content: { 'application/octet-stream': { schema } } };
  }
  if (!body) return undefined;
  return {
    required: !body.safeParse(undefined).success,
    content: { 'application/json': { schema: jsonSchema(body) } },
  };
}

function operation(path: string, spec: Route): JsonObject {
  const body = requestBody(spec);
  return {
    operationId: operationId(spec.method, path),
    summary: spec.summary,
    description: whoMayCall[spec.auth],
    'x-auth': spec.auth,
    security: security[spec.auth],
    parameters: parameters(path, spec),
    ...(body && { requestBody: body }),
    responses: responses(spec),
  };
}

/**
 * The document of every route of `groups`, served from `serverUrl`.
 * @example res.json(openApiDocument([['/api/v1', accountRoutes(deps)]], 'http://localhost:8080'))
 */
export function openApiDocument(groups: readonly RouteGroup[], serverUrl: string): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const [prefix, routes] of groups) {
    for (const spec of routes) {
      const path = documentPath(prefix, spec.path);
      (paths[path] ??= {})[spec.method] = operation(path, spec);
    }
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'edgecourier cloud',
      version: 'v1',
      summary: 'Accounts, tokens, apps, functions, endpoints, roots and the courier fleet.',
      description: "Calls to an app's endpoints, `<METHOD> /run/<appId><path>`, are each app's own and are not listed here: see docs/http-api.md.",
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A session token (POST /api/v1/sessions) or an API token (POST /api/v1/tokens).' },
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The session cookie a log-in sets.' },
      },
    },
  };
}
