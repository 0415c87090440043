/** @module Test helpers for the auth matrix: the documented routes, a world of one owner's things per test, shared with a grantee of each level, the owner's view of them, and the same world with every id made up. */
import { readFile } from 'node:fs/promises';
import { allows } from '../../cloud/services/app-access.ts';
import type { Access } from '../../cloud/data.ts';
import { api, freshEmail, grantOperator, type TestCloud } from './cloud.ts';
import { resetLinkIn } from './reset-link.ts';

/** A user granted the world's app at one level each: READ, RUN, WRITE and FULL_CONTROL. */
export type Grantee = 'reader' | 'runner' | 'writer' | 'controller';
export const GRANTS: Record<Grantee, Access> = { reader: 'READ', runner: 'RUN', writer: 'WRITE', controller: 'FULL_CONTROL' };
export const GRANTEES = Object.keys(GRANTS) as Grantee[];

export type Caller = 'anonymous' | 'other' | 'operator' | 'owner' | Grantee;
export const CALLERS: readonly Caller[] = ['anonymous', 'other', 'operator', 'owner', ...GRANTEES];
export const isGrantee = (caller: Caller): caller is Grantee => Object.hasOwn(GRANTS, caller);

/** Passes zxcvbn's bar, as sign-ups must. */
export const PASSWORD = 'correct horse battery staple 42';

/**
 * Every route the API pages document, as written there: the first cell of their route tables
 * ("GET /api/v1/apps/:appId", query strings dropped) and the endpoint call form of http-api.md.
 */
export async function documentedRoutes(): Promise<string[]> {
  const routes: string[] = [];
  for (const page of ['http-api.md', 'fleet-api.md']) {
    const text = await readFile(new URL(`../../docs/${page}`, import.meta.url), 'utf8');
    for (const [, method, path] of text.matchAll(/^\|\s*`(GET|POST|PUT|PATCH|DELETE) (\/[^`?\s]*)[^`]*`\s*\|/gm)) routes.push(`${method} ${path}`);
    for (const [, form] of text.matchAll(/^(<METHOD> \/run\/\S+)/gm)) routes.push(form!);
  }
  return routes;
}

/** One request of the matrix: a JSON body or a file's bytes. */
export interface Call {
  method: string;
  path: string;
  json?: unknown;
  bytes?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON. */
  body: any;
  text: string;
}

/**
 * Each caller comes from an address of its own, as people do (the test cloud believes X-Forwarded-For from
 * loopback); the world is made from 127.0.0.1.
 */
const ADDRESSES: Record<Caller, string> = {
  anonymous: '203.0.113.1',
  other: '203.0.113.2',
  operator: '203.0.113.3',
  owner: '203.0.113.4',
  reader: '203.0.113.5',
  runner: '203.0.113.6',
  writer: '203.0.113.7',
  controller: '203.0.113.8',
};

/** One call of the matrix, as `caller` from its own address. */
export async function send(url: string, call: Call, caller: Caller, token?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'x-forwarded-for': ADDRESSES[caller] };
  if (token) headers.authorization = `Bearer ${token}`;
  if (call.json !== undefined) headers['content-type'] = 'application/json';
  const body = call.json === undefined ? call.bytes : JSON.stringify(call.json);
  const response = await fetch(url + call.path, { method: call.method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: response.headers.get('content-type')?.includes('application/json') ? JSON.parse(text) : text,
    text,
  };
}

/** What a caller can tell of an answer: all but the headers of the connection and the clock. */
export function whatItTells(answer: Answer, pairs: Array<[string, string]> = []): { status: number; headers: Record<string, string>; text: string } {
  const headers = Object.fromEntries([...answer.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name)));
  return { status: answer.status, headers, text: replaceAll(answer.text, pairs) };
}

async function expectOk(answer: Promise<Answer>, what: string): Promise<any> {
  const { status, text, body } = await answer;
  if (status >= 300) throw new Error(`${what} answered ${status}: ${text}`);
  return body;
}

export interface Account {
  email: string;
  /** A session, kept for the whole file unless the test revokes the account's tokens. */
  session: string;
}

export async function signUp(url: string, label: string): Promise<Account> {
  const email = freshEmail(label);
  await expectOk(api(url, 'POST', '/api/v1/accounts', { email, password: PASSWORD }), `signing ${email} up`);
  const { token } = await expectOk(api(url, 'POST', '/api/v1/sessions', { email, password: PASSWORD }), `logging ${email} in`);
  return { email, session: token };
}

export type Accounts = Record<Exclude<Caller, 'anonymous'>, Account>;

/** The accounts of the matrix, shared by its tests: another user, an operator (granted on the cloud's host), the owner and the grantees. */
export async function signUpCallers(cloud: TestCloud): Promise<Accounts> {
  const named = await Promise.all(CALLERS.filter((caller) => caller !== 'anonymous').map(async (caller) => [caller, await signUp(cloud.url, caller)] as const));
  const accounts = Object.fromEntries(named) as Accounts;
  await grantOperator(cloud.dataDir, accounts.operator.email);
  return accounts;
}

/** Marks what none but the owner may ever be shown; each is in the world's things. */
export const PRIVATE_CODE = 'PRIVATE-CODE-MARKER';
export const DESCRIPTION = "DESCRIPTION-MARKER: the owner's notes";
export const ROOT_SECRET = 'sl.ROOT-SECRET-MARKER';
/** The value of the app's secret, which no answer ever shows, not even to the owner; its name is the owner's to see. */
export const APP_SECRET = 'APP-SECRET-VALUE-MARKER';
export const APP_SECRET_NAME = 'WORLD_SECRET_NAME';

/** One owner's things, made fresh for one test, and a token of each caller's own for it. */
export interface World {
  owner: Account;
  /** The token each caller sends: a new API token of its own account, none for anonymous. */
  tokens: Record<Caller, string | undefined>;
  /** `versionId`: a version of the app other than its active one, holding the world's file. */
  app: { id: string; name: string; privateEndpoint: string; publicEndpoint: string; versionId: string };
  /** An API token of the owner's, other than the one the owner calls with. */
  tokenId: string;
  rootId: string;
  /** A courier an operator registered. */
  courierId: string;
  /** A live link the owner was mailed; only when asked for. */
  resetToken?: string;
  /** The activation of a test-invoke the owner made; only when asked for. */
  activationId?: string;
  ownerId: string;
  /** Each grantee's address, as the app's grants name them. */
  grantees: Record<Grantee, string>;
  /** What the app grants everyone, when the world was made so. */
  everyone?: 'READ' | 'RUN';
}

export interface WorldOptions {
  running?: boolean;
  /** The owner was mailed a password-reset link. */
  resetLink?: boolean;
  /** A new owner account for this test, for a request that revokes every token of the owner's. */
  freshOwner?: boolean;
  /** The app grants everyone this too. */
  everyone?: 'READ' | 'RUN';
  /** The owner test-invoked a function, so the app has an activation. */
  activation?: boolean;
}

/** The owner's app: a private function behind a private endpoint, a public one behind a public endpoint, and one called by no endpoint. */
const functions = {
  hiddenfn: { code: `// ${PRIVATE_CODE}\nexport default () => ({ done: true });\n` },
  shared: { code: 'export default (input) => ({ echoed: input });\n', public: true },
  spare: { code: `// ${PRIVATE_CODE}\nexport default () => 1;\n` },
};
export const FUNCTION_NAMES = Object.keys(functions);

/** The owner's app's one file that is no function; public bundles hold it, so it holds no private mark. */
export const WORLD_FILE = { path: 'templates/page.html', text: '<p>a page</p>\n' };

export async function makeWorld(cloud: TestCloud, accounts: Accounts, options: WorldOptions = {}): Promise<World> {
  const { url } = cloud;
  const owner = options.freshOwner ? await signUp(url, 'owner') : accounts.owner;
  const as = (account: Account) => (method: string, path: string, body?: unknown) =>
    expectOk(api(url, method, `/api/v1${path}`, body, account.session), `${method} ${path}`);
  const ownerCall = as(owner);
  const newToken = async (account: Account) => (await as(account)('POST', '/tokens', { name: 'matrix' })).token as string;
  const makeApp = async () => {
    const app = await ownerCall('POST', '/apps', { name: `shop-${Math.random().toString(36).slice(2, 10)}`, description: DESCRIPTION });
    await Promise.all(Object.entries(functions).map(([name, spec]) => ownerCall('PUT', `/apps/${app.id}/functions/${name}`, spec)));
    await expectOk(
      send(url, { method: 'PUT', path: `/api/v1/apps/${app.id}/files/${encodeURIComponent(WORLD_FILE.path)}`, bytes: WORLD_FILE.text }, 'owner', owner.session),
      'putting a file',
    );
    await ownerCall('PUT', `/apps/${app.id}/secrets/${APP_SECRET_NAME}`, { value: APP_SECRET });
    const endpoints = [
      { method: 'POST', path: '/private', function: 'hiddenfn' },
      { method: 'POST', path: '/public', function: 'shared', public: true },
    ];
    const [privateEndpoint, publicEndpoint] = await Promise.all(endpoints.map((endpoint) => ownerCall('POST', `/apps/${app.id}/endpoints`, endpoint)));
    const grants = GRANTEES.map((grantee) => [accounts[grantee].email, GRANTS[grantee]] as const);
    if (options.everyone) grants.push(['*', options.everyone]);
    await Promise.all(grants.map(([grantee, access]) => ownerCall('PUT', `/apps/${app.id}/grants/${encodeURIComponent(grantee)}`, { access })));
    if (options.running) await ownerCall('POST', `/apps/${app.id}/start`);
    // The version before the last change: the world's file is in it, and it is not the active one.
    const { versions } = await ownerCall('GET', `/apps/${app.id}/versions`);
    return {
      id: app.id as string,
      name: app.name as string,
      privateEndpoint: privateEndpoint.id as string,
      publicEndpoint: publicEndpoint.id as string,
      versionId: versions[1].id as string,
    };
  };
  const [other, operator, ownToken, reader, runner, writer, controller, app, token, root, courier, { user }] = await Promise.all([
    newToken(accounts.other),
    newToken(accounts.operator),
    newToken(owner),
    ...GRANTEES.map((grantee) => newToken(accounts[grantee])),
    makeApp(),
    ownerCall('POST', '/tokens', { name: 'laptop-token-marker' }),
    ownerCall('POST', '/roots', { kind: 'dropbox', path: '/private-root-marker', credentials: { DROPBOX_REFRESH_TOKEN: ROOT_SECRET, DROPBOX_APP_KEY: 'key' } }),
    as(accounts.operator)('POST', '/fleet/couriers', { name: 'edge-courier-1' }),
    ownerCall('GET', '/me'),
  ]);

  return {
    owner,
    tokens: { anonymous: undefined, other, operator, owner: ownToken, reader, runner, writer, controller },
    app,
    tokenId: token.id,
    rootId: root.id,
    courierId: courier.id,
    resetToken: options.resetLink ? await mailedLink(cloud, owner.email) : undefined,
    activationId: options.activation ? (await ownerCall('POST', `/apps/${app.id}/functions/spare/invoke`, {})).activationId : undefined,
    ownerId: user.id,
    grantees: Object.fromEntries(GRANTEES.map((grantee) => [grantee, accounts[grantee].email])) as Record<Grantee, string>,
    everyone: options.everyone,
  };
}

/** The token of a reset link asked for now: mails asked for before are taken out of the inbox first. */
async function mailedLink(cloud: TestCloud, email: string): Promise<string> {
  while (cloud.mailCount(email) > 0) await cloud.waitForMail(email);
  await expectOk(api(cloud.url, 'POST', '/api/v1/password-resets', { email }), 'asking for a reset link');
  return resetLinkIn(await cloud.waitForMail(email)).token;
}

/**
 * Everything the owner (and, of the fleet, an operator) can see of the world: the account, its API tokens,
 * the app with every function's code and invocation log, its activations, its files and the bytes of the one that
 * is no function, its versions, its secrets and grants, the roots, and the couriers.
 */
export async function ownerView(url: string, world: World, operator: Account): Promise<unknown> {
  const get = async (path: string, token = world.owner.session) => {
    const { status, body } = await api(url, 'GET', `/api/v1${path}`, undefined, token);
    return { status, body };
  };
  const app = `/apps/${world.app.id}`;
  const [me, tokens, shown, endpoints, files, file, secrets, grants, versions, roots, couriers, activations, ...functions] = await Promise.all([
    get('/me'),
    get('/tokens'),
    get(app),
    get(`${app}/endpoints`),
    get(`${app}/files`),
    get(`${app}/files/${encodeURIComponent(WORLD_FILE.path)}`),
    get(`${app}/secrets`),
    get(`${app}/grants`),
    get(`${app}/versions`),
    get('/roots'),
    get('/fleet/couriers', operator.session),
    get(`${app}/activations`),
    ...FUNCTION_NAMES.flatMap((name) => [get(`${app}/functions/${name}`), get(`${app}/functions/${name}/logs`)]),
  ]);
  return { me, tokens, app: shown, endpoints, files, file, secrets, grants, versions, roots, couriers, activations, functions };
}

/** What `caller` may do with the world's app: the owner everything, a grantee its grant, anyone the grant to everyone. */
export function accessIn(world: World, caller: Caller): Access | undefined {
  if (caller === 'owner') return 'FULL_CONTROL';
  const granted = isGrantee(caller) ? GRANTS[caller] : undefined;
  if (!world.everyone) return granted;
  return allows(granted, world.everyone) ? granted : world.everyone;
}

/**
 * Text an answer to `caller` may not hold unless its request did. Nobody but the owner is shown the account, its
 * token, root and credentials, or the app's secret; the private endpoint, function name and code and the
 * description need READ of the app; the secret's name and the other grantees' addresses need FULL_CONTROL.
 */
export function privateMarks(world: World, caller: Caller): string[] {
  const access = accessIn(world, caller);
  const account = [world.owner.email, world.ownerId, world.tokenId, 'laptop-token-marker', world.rootId, '/private-root-marker', ROOT_SECRET, APP_SECRET];
  const app = [world.app.privateEndpoint, world.app.versionId, 'hiddenfn', PRIVATE_CODE, 'DESCRIPTION-MARKER'];
  const control = [APP_SECRET_NAME, ...GRANTEES.filter((grantee) => grantee !== caller).map((grantee) => world.grantees[grantee])];
  return [...account, ...(allows(access, 'READ') ? [] : app), ...(allows(access, 'FULL_CONTROL') ? [] : control)];
}

/** Marks an operator is shown by the fleet routes: every root's id, path and credentials, to hand it to a courier. */
export const rootMarks = (world: World) => [world.rootId, '/private-root-marker', ROOT_SECRET];

/**
 * The world's ids and secrets, each beside a well-formed one that names nothing. Those of the app are kept for a
 * caller who may see it (`keepApp`): what it is told about the rest must still be what it is told about nothing.
 */
export function madeUp(world: World, keepApp = false): Array<[string, string]> {
  const app: Array<[string, string]> = [
    [world.app.id, 'app_0000000000000000'],
    [world.app.privateEndpoint, 'ep_0000000000000000'],
    [world.app.publicEndpoint, 'ep_1111111111111111'],
    [world.app.versionId, '0'.repeat(64)],
  ];
  const pairs: Array<[string, string | undefined]> = [
    ...(keepApp ? [] : app),
    [world.tokenId, 'tok_0000000000000000'],
    [world.rootId, 'root_0000000000000000'],
    [world.courierId, 'cou_0000000000000000'],
    [world.owner.email, `nobody-${process.pid}@example.com`],
    [world.resetToken ?? '', `ecr_${'A'.repeat(43)}`],
    [world.activationId ?? '', `act_${'0'.repeat(22)}`],
  ];
  return pairs.filter((pair): pair is [string, string] => pair[0] !== '');
}

function replaceAll(text: string, pairs: Array<[string, string]>): string {
  return pairs.reduce((result, [from, to]) => result.split(from).join(to), text);
}

/** The same call about made-up things: what a caller is told about someone else's thing must be what it is told about one that does not exist. */
export function aboutNothing(call: Call, pairs: Array<[string, string]>): Call {
  const swap = (value: unknown) => (value === undefined ? undefined : JSON.parse(replaceAll(JSON.stringify(value), pairs)));
  return { method: call.method, path: replaceAll(call.path, pairs), json: swap(call.json), bytes: call.bytes };
}

/** Takes back what the world and the test made, so that every test starts from the same cloud. */
export async function tidyUp(url: string, world: World, accounts: Accounts, made: Array<[Caller, Call]>): Promise<void> {
  const sessionOf = (caller: Caller) => (caller === 'owner' ? world.owner : caller === 'anonymous' ? undefined : accounts[caller])?.session;
  for (const [caller, call] of made) await send(url, call, caller, sessionOf(caller));
  const tokensOf = async (caller: Caller) => {
    const session = sessionOf(caller);
    const { body } = await api(url, 'GET', '/api/v1/tokens', undefined, session);
    await Promise.all((body.tokens ?? []).map(({ id }: { id: string }) => api(url, 'DELETE', `/api/v1/tokens/${id}`, undefined, session)));
  };
  await Promise.all([
    api(url, 'DELETE', `/api/v1/apps/${world.app.id}`, undefined, world.owner.session),
    api(url, 'DELETE', `/api/v1/roots/${world.rootId}`, undefined, world.owner.session),
    api(url, 'DELETE', `/api/v1/fleet/couriers/${world.courierId}`, undefined, accounts.operator.session),
    ...CALLERS.filter((caller) => caller !== 'anonymous').map(tokensOf),
  ]);
}
