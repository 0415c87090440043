/**
 * The OpenAPI document at /openapi.json lists exactly the routes Express serves and the API pages document, keeps
 * the rules of OpenAPI 3.1 that tools rely on, and names the code a body its schema refuses is answered with.
 */
import test from 'ava';
import type { Express } from 'express';
import { documentedRoutes } from '../helpers/auth-matrix.ts';
import { api, freshEmail, grantOperator, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { listedRoutes, openApiProblems } from '../helpers/openapi-shape.ts';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  /** The path a router is mounted at (Express 5's router). */
  rawPath?: string;
}

/** Every method and path the app routes, read from Express's own router, as the API pages write them: "GET /api/v1/apps/:appId". */
function servedRoutes(app: Express): string[] {
  const join = (prefix: string, path: string) => `${prefix.replace(/\/$/, '')}${path === '/' ? '' : path}` || '/';
  const walk = (stack: Layer[], prefix: string): string[] =>
    stack.flatMap((layer) => {
      if (layer.route) return Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${join(prefix, layer.route!.path)}`);
      if (layer.handle.stack) return walk(layer.handle.stack, join(prefix, String(layer.rawPath)));
      return [];
    });
  return walk((app.router as unknown as { stack: Layer[] }).stack, '');
}

let cloud: TestCloud;
let document: Record<string, any>;
let user: string;
let operator: string;
let appId: string;

async function signedIn(email: string): Promise<string> {
  const credentials = { email, password: 'correct horse battery staple 42' };
  await api(cloud.url, 'POST', '/api/v1/accounts', credentials);
  return (await api(cloud.url, 'POST', '/api/v1/sessions', credentials)).body.token as string;
}

test.before(async () => {
  cloud = await startTestCloud({ smtp: false });
  user = await signedIn(freshEmail('user'));
  const operatorEmail = freshEmail('operator');
  operator = await signedIn(operatorEmail);
  await grantOperator(cloud.dataDir, operatorEmail);
  appId = (await api(cloud.url, 'POST', '/api/v1/apps', { name: 'shop' }, user)).body.id;
  document = (await api(cloud.url, 'GET', '/openapi.json')).body;
});
test.after.always(async () => {
  await cloud?.close();
});

test('every route Express serves is in the document with its method and path, and the document lists no other', (t) => {
  const served = servedRoutes(cloud.app);
  t.true(served.length > 30, `the router's routes were found: ${served.join(', ')}`);
  t.deepEqual(listedRoutes(document).sort(), served.sort());
});

test('the document keeps the rules of OpenAPI 3.1 that tools rely on', (t) => {
  t.deepEqual(openApiProblems(document), []);
  t.regex(document.openapi, /^3\.1\./);
});

test('the route tables of the API pages list the routes the document lists, and no others', async (t) => {
  const tables = (await documentedRoutes()).filter((route) => !route.startsWith('<METHOD>'));
  t.deepEqual([...new Set(tables)].sort(), listedRoutes(document).sort());
});

interface BadBody {
  /** The route as the document lists it. */
  route: string;
  /** What is wrong with the body. */
  wrong: string;
  path: () => string;
  token?: () => string;
  json?: unknown;
}

const badBodies: BadBody[] = [
  {
    route: 'POST /api/v1/accounts',
    wrong: 'an email address that is not one',
    path: () => '/api/v1/accounts',
    json: { email: 'not an address', password: 'correct horse battery staple 42' },
  },
  { route: 'POST /api/v1/apps', wrong: 'an app name starting with a dash', path: () => '/api/v1/apps', token: () => user, json: { name: '-shop' } },
  {
    route: 'PUT /api/v1/apps/{appId}/functions/{name}',
    wrong: 'code that is a number',
    path: () => `/api/v1/apps/${appId}/functions/greet`,
    token: () => user,
    json: { code: 42 },
  },
  {
    route: 'POST /api/v1/deploys',
    wrong: 'a tag that would read as a version id',
    path: () => '/api/v1/deploys',
    token: () => user,
    json: { name: 'shop', files: [], tag: 'deadbeef42' },
  },
  {
    route: 'POST /api/v1/roots',
    wrong: 'a local root with credentials',
    path: () => '/api/v1/roots',
    token: () => operator,
    json: { kind: 'local', path: '/srv/edge', credentials: { DROPBOX_APP_KEY: 'x' } },
  },
  { route: 'POST /api/v1/fleet/couriers', wrong: 'a blank courier name', path: () => '/api/v1/fleet/couriers', token: () => operator, json: { name: '  ' } },
];

/** The codes the document says an operation answers with `status`. */
function documentedCodes(route: string, status: number): string[] {
  const [method, path] = route.split(' ') as [string, string];
  const response = document.paths[path]?.[method.toLowerCase()]?.responses?.[status];
  return response?.content?.['application/json']?.schema?.properties?.error?.properties?.code?.enum ?? [];
}

const refused = test.macro({
  async exec(t, c: BadBody) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (c.token) headers.authorization = `Bearer ${c.token()}`;
    const body = JSON.stringify(c.json);
    const [method] = c.route.split(' ');
    const response = await fetch(cloud.url + c.path(), { method, headers, body });
    const text = await response.text();
    t.is(response.status, 400, text);
    const code = JSON.parse(text).error?.code;
    t.is(code, 'INVALID_INPUT', text);
    t.true(documentedCodes(c.route, 400).includes(code), `the document lists ${code} among the 400s of ${c.route}`);
  },
  title: (_, c: BadBody) => `${c.route} with ${c.wrong} is answered 400 with the code the document lists`,
});

for (const c of badBodies) test(refused, c);
