/**
 * @module Test helpers: generated bad HTTP requests for the cloud, on the documented routes (docs/http-api.md,
 * docs/fleet-api.md) with odd paths, bodies, content types, encodings and headers, anonymous and signed in.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

/** What the generated requests may name: real things of a signed-in user, so that requests reach past the checks of who and what. */
export interface Targets {
  appId: string;
  /** A function of the app, and the call key of its call with input null. */
  fn: string;
  key: string;
  endpointId: string;
  tokenId: string;
  /** Bearer tokens of a user and of an operator. */
  userToken: string;
  operatorToken: string;
}

/** One request as sent; its description is what a failure prints, short even for a body of a mebibyte. */
export interface BadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  [fc.toStringMethod](): string;
}

const routes: Array<[string, string]> = [
  ['POST', '/api/v1/accounts'],
  ['POST', '/api/v1/sessions'],
  ['DELETE', '/api/v1/sessions/current'],
  ['GET', '/api/v1/me'],
  ['POST', '/api/v1/password-resets'],
  ['POST', '/api/v1/password-resets/confirm'],
  ['POST', '/api/v1/tokens'],
  ['GET', '/api/v1/tokens'],
  ['DELETE', '/api/v1/tokens/:tokenId'],
  ['POST', '/api/v1/apps'],
  ['GET', '/api/v1/apps'],
  ['GET', '/api/v1/apps/:appId'],
  ['PATCH', '/api/v1/apps/:appId'],
  ['DELETE', '/api/v1/apps/:appId'],
  ['POST', '/api/v1/apps/:appId/start'],
  ['POST', '/api/v1/apps/:appId/stop'],
  ['PUT', '/api/v1/apps/:appId/functions/:name'],
  ['GET', '/api/v1/apps/:appId/functions'],
  ['GET', '/api/v1/apps/:appId/functions/:name'],
  ['DELETE', '/api/v1/apps/:appId/functions/:name'],
  ['POST', '/api/v1/apps/:appId/functions/:name/invoke'],
  ['GET', '/api/v1/apps/:appId/functions/:name/logs'],
  ['GET', '/api/v1/apps/:appId/functions/:name/code'],
  ['POST', '/api/v1/apps/:appId/endpoints'],
  ['GET', '/api/v1/apps/:appId/endpoints'],
  ['PATCH', '/api/v1/apps/:appId/endpoints/:endpointId'],
  ['DELETE', '/api/v1/apps/:appId/endpoints/:endpointId'],
  ['GET', '/api/v1/apps/:appId/files'],
  ['GET', '/api/v1/apps/:appId/files/:path'],
  ['PUT', '/api/v1/apps/:appId/files/:path'],
  ['DELETE', '/api/v1/apps/:appId/files/:path'],
  ['PUT', '/api/v1/uploads/:sha256'],
  ['POST', '/api/v1/deploys'],
  ['GET', '/api/v1/apps/:appId/activations'],
  ['GET', '/api/v1/activations/:activationId'],
  ['POST', '/api/v1/roots'],
  ['GET', '/api/v1/roots'],
  ['DELETE', '/api/v1/roots/:rootId'],
  ['POST', '/api/v1/fleet/couriers'],
  ['POST', '/api/v1/fleet/couriers/:courierId/heartbeat'],
  ['DELETE', '/api/v1/fleet/couriers/:courierId'],
  ['GET', '/api/v1/fleet/couriers'],
  ['GET', '/healthz'],
  ['GET', '/metrics'],
  ['POST', '/run/:appId/echo'],
  ['GET', '/run/:appId/echo'],
];

/** Path segments that have broken routers: bad %-escapes, dot segments, a very long one, non-ASCII. */
const oddSegments = ['%', '%zz', '%E0%A4%A', '%00', '%2F', '..', '.', '', 'a'.repeat(5000), '☃', '%F0%9F%98', ' ', 'null', '__proto__', 'constructor'];

/** Field names the routes read, so that generated objects hit their schemas with wrong types. */
const fields = [
  'email',
  'password',
  'name',
  'description',
  'packageJson',
  'code',
  'language',
  'idempotent',
  'timeoutMs',
  'memoryMb',
  'public',
  'method',
  'path',
  'function',
  'input',
  'cache',
  'precomputed',
  'kind',
  'credentials',
  'serving',
  'token',
  'files',
  'sha256',
  '__proto__',
];

const deepText = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);

function bodies(targets: Targets): fc.Arbitrary<string> {
  const json = fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value));
  const fieldsOfWrongTypes = fc.dictionary(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }).map((value) => JSON.stringify(value));
  const deep = fc
    .tuple(fc.constantFrom(300, 1000, 10_000, 100_000), fc.constantFrom(['[', ']'], ['{"a":', '}']))
    .map(([depth, [open, close]]) => deepText(depth, open!, close!));
  const deepIn = fc.tuple(deep, fc.constantFrom('input', 'email', 'name', 'cache', 'serving')).map(([value, field]) => `{"${field}":${value}}`);
  const deepPrecomputed = deep.map((value) => `{"precomputed":{${JSON.stringify(targets.key)}:${value}}}`);
  const huge = fc
    .tuple(fc.constantFrom(1000, 500_000, 1_048_000, 1_300_000), fc.constantFrom(...fields))
    .map(([length, field]) => `{"${field}":"${'x'.repeat(length)}"}`);
  const broken = fc.oneof(fc.string(), fc.constantFrom('{', '{"a":', 'nul', '\uFEFF{}', '\u0000', '[1,]', '{"a":1}{"b":2}', '"\\ud800"', '1e999999'));
  return fc.oneof(json, fieldsOfWrongTypes, deepIn, { weight: 2, arbitrary: deepPrecomputed }, huge, broken);
}

function describe(request: Omit<BadRequest, typeof fc.toStringMethod>): string {
  const body =
    request.body === undefined
      ? 'no body'
      : typeof request.body === 'string'
        ? `${request.body.length} chars: ${request.body.slice(0, 160)}`
        : `${request.body.length} bytes, compressed`;
  return `${request.method} ${request.path.slice(0, 200)} ${JSON.stringify(request.headers).slice(0, 300)} (${body})`;
}

/**
 * Bad requests on the documented routes.
 * @example fc.assert(fc.asyncProperty(badRequests(targets), async (request) => …), { seed: 42, numRuns: 1200 })
 */
export function badRequests(targets: Targets): fc.Arbitrary<BadRequest> {
  const param = (real: string) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(real) },
      { weight: 2, arbitrary: fc.constantFrom(...oddSegments) },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    );
  const params: Record<string, fc.Arbitrary<string>> = {
    appId: param(targets.appId),
    name: param(targets.fn),
    endpointId: param(targets.endpointId),
    tokenId: param(targets.tokenId),
    rootId: param('root_missing'),
    path: fc.oneof(
      { weight: 3, arbitrary: param('templates%2Fpage.html') },
      { weight: 1, arbitrary: fc.constantFrom('..%2Fx', '.env', 'node_modules%2Fx', 'a%2F%2Fb', 'a%5Cb') },
    ),
    sha256: param('0'.repeat(64)),
    courierId: param('courier_missing'),
    activationId: param(`act_${'0'.repeat(22)}`),
  };
  const invoking = routes.filter(([, template]) => template.endsWith('/invoke') || template.startsWith('/run/'));
  const route = fc
    .oneof({ weight: 4, arbitrary: fc.constantFrom(...routes) }, { weight: 1, arbitrary: fc.constantFrom(...invoking) })
    .chain(([method, template]) => {
      const names = [...template.matchAll(/:(\w+)/g)].map((match) => match[1]!);
      return fc
        .tuple(
          fc.oneof(
            { weight: 4, arbitrary: fc.constant(method) },
            { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') },
          ),
          fc.tuple(...names.map((name) => params[name]!)),
          fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('token=%', 'token=%zz', 'a=1&a=2&a[b]=3', 'x='.padEnd(5000, 'y'))), {
            nil: undefined,
          }),
        )
        .map(([chosenMethod, values, query]) => {
          let path = template;
          names.forEach((name, index) => (path = path.replace(`:${name}`, values[index]!)));
          return { method: chosenMethod, path: query === undefined ? path : `${path}?${query}` };
        });
    });
  // Weighted towards requests that pass the checks of who and how, so that bodies reach the routes' own code.
  const authorization = fc.oneof(
    { weight: 6, arbitrary: fc.constant(`Bearer ${targets.userToken}`) },
    { weight: 2, arbitrary: fc.constant(`Bearer ${targets.operatorToken}`) },
    { weight: 3, arbitrary: fc.constantFrom('', 'Bearer not-a-token', 'Basic YTpi', 'Bearer', `bearer ${targets.userToken}`, `Bearer ${'t'.repeat(8000)}`) },
  );
  const cookie = fc.constantFrom('', '', '', 'ec_session=%', `ec_session=${targets.userToken}`, 'ec_session=', 'ec_session=a; ec_session=b', '=;;=');
  const contentType = fc.constantFrom(
    'application/json',
    'application/json',
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'application/json; charset="utf-16"',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/*+json',
    '',
    ';;;',
  );
  const encoding = fc.constantFrom(undefined, undefined, undefined, undefined, undefined, 'gzip', 'deflate', 'br', 'identity', 'zstd', 'gzip, br', 'x-unknown');
  const odd = fc.record({ authorization, cookie, contentType, encoding });
  // Half the requests are proper in all but their path and body, so that bad bodies reach the routes' own code.
  const proper = fc.constant({ authorization: `Bearer ${targets.userToken}`, cookie: '', contentType: 'application/json', encoding: undefined });
  return fc
    .record({ route, how: fc.oneof(odd, proper), body: fc.option(bodies(targets), { nil: undefined, freq: 5 }), compress: fc.boolean() })
    .map(({ route: { method, path }, how: { authorization: auth, cookie: cookies, contentType: type, encoding: coding }, body, compress }) => {
      const headers: Record<string, string> = {};
      if (auth) headers.authorization = auth;
      if (cookies) headers.cookie = cookies;
      if (type) headers['content-type'] = type;
      if (coding) headers['content-encoding'] = coding;
      const canHaveBody = method !== 'GET' && method !== 'HEAD';
      const sent = !canHaveBody || body === undefined ? undefined : coding === 'gzip' && compress ? new Uint8Array(gzipSync(body)) : body;
      const request = { method, path, headers, ...(sent === undefined ? {} : { body: sent }) };
      return { ...request, [fc.toStringMethod]: () => describe(request) };
    });
}
