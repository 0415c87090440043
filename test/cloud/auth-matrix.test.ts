/** The auth matrix: every documented route as anonymous, another user, an operator and the owner, with the status each gets; what the others are refused changes nothing and tells no more than a made-up id. */
import test from 'ava';
import { createHash } from 'node:crypto';
import { freshEmail, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import {
  aboutNothing,
  APP_SECRET,
  APP_SECRET_NAME,
  CALLERS,
  documentedRoutes,
  madeUp,
  makeWorld,
  ownerView,
  PASSWORD,
  privateMarks,
  rootMarks,
  send,
  signUpCallers,
  tidyUp,
  whatItTells,
  WORLD_FILE,
  type Account,
  type Call,
  type Caller,
  type World,
  type WorldOptions,
} from '../helpers/auth-matrix.ts';

interface Case {
  /** The route as the docs write it. */
  route: string;
  /** Which of the route's things or bodies, when it has more than one case. */
  variant?: string;
  call(world: World, caller: Caller): Call;
  /** The status, and the error code when there is one, e.g. "404 APP_NOT_FOUND". */
  expect: Record<Caller, string>;
  world?: Omit<WorldOptions, 'freshOwner'>;
  /** The owner's answer revokes every token of the account, so the owner of this case's world is a new account. */
  revokesOwner?: boolean;
  /** Callers whose request, answered as expected, changes what the owner sees, as the docs say it does. */
  changes?: Caller[];
  /** Anyone but the owner is answered as about a made-up thing even when not refused. */
  sameAsMissing?: boolean;
  /** Why anyone is answered differently than about a made-up thing; the docs say so. */
  tells?: string;
  /** An operator's answer may show every root, to hand it to a courier. */
  showsRootsToOperators?: boolean;
  /** What takes back what the request made. */
  undo?(answer: { body: any }): Call;
}

const ANONYMOUS = '401 UNAUTHORIZED';
const cells = (anonymous: string, other: string, operator: string, owner: string) => ({ anonymous, other, operator, owner });
const anyone = (answer: string) => cells(answer, answer, answer, answer);
const anyUser = (answer: string) => cells(ANONYMOUS, answer, answer, answer);
const ownerOnly = (answer: string, refused = '404 APP_NOT_FOUND') => cells(ANONYMOUS, refused, refused, answer);
const operatorOnly = (answer: string) => cells(ANONYMOUS, '403 FORBIDDEN', answer, '403 FORBIDDEN');
const NOT_OWNERS: Caller[] = ['anonymous', 'other', 'operator'];

const NEW_PASSWORD = 'purple elephant marmalade 77';
const GUESSED_RESET = `ecr_${'g'.repeat(43)}`;
const call = (method: string, path: string, json?: unknown): Call => ({ method, path, json });
const app = (w: World, rest = '') => `/api/v1/apps/${w.app.id}${rest}`;
const undoAt = (prefix: string) => (answer: { body: any }) => call('DELETE', `${prefix}/${answer.body.id}`);
const FILE = encodeURIComponent(WORLD_FILE.path);
const UPLOADED = 'bytes for a deploy\n';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const dropbox = { kind: 'dropbox', path: '/mine', credentials: { DROPBOX_REFRESH_TOKEN: 'mine', DROPBOX_APP_KEY: 'mine' } };

const cases: Case[] = [
  { route: 'GET /openapi.json', call: () => call('GET', '/openapi.json'), expect: anyone('200') },
  { route: 'GET /metrics', call: () => call('GET', '/metrics'), expect: anyone('200') },
  { route: 'GET /healthz', call: () => call('GET', '/healthz'), expect: anyone('200') },

  {
    route: 'POST /api/v1/accounts',
    variant: 'a new address',
    call: () => call('POST', '/api/v1/accounts', { email: freshEmail('new'), password: PASSWORD }),
    expect: anyone('201'),
  },
  {
    route: 'POST /api/v1/accounts',
    variant: "the owner's address",
    call: (w) => call('POST', '/api/v1/accounts', { email: w.owner.email, password: PASSWORD }),
    expect: anyone('409 EMAIL_TAKEN'),
    tells: 'sign-up says an address has an account: 409 EMAIL_TAKEN is documented',
  },
  {
    route: 'POST /api/v1/sessions',
    variant: "the owner's address, with the password only the owner knows",
    call: (w, who) => call('POST', '/api/v1/sessions', { email: w.owner.email, password: who === 'owner' ? PASSWORD : 'wrong horse battery staple 42' }),
    expect: cells('401 INVALID_CREDENTIALS', '401 INVALID_CREDENTIALS', '401 INVALID_CREDENTIALS', '201'),
  },
  { route: 'DELETE /api/v1/sessions/current', call: () => call('DELETE', '/api/v1/sessions/current'), expect: anyUser('204') },
  { route: 'GET /api/v1/me', call: () => call('GET', '/api/v1/me'), expect: anyUser('200') },
  {
    route: 'POST /api/v1/password-resets',
    variant: 'the address of an owner who just asked for a link',
    call: (w) => call('POST', '/api/v1/password-resets', { email: w.owner.email }),
    expect: anyone('202'),
    world: { resetLink: true },
    sameAsMissing: true,
  },
  {
    route: 'POST /api/v1/password-resets/confirm',
    variant: "the owner's mailed link, which only the owner has",
    call: (w, who) => call('POST', '/api/v1/password-resets/confirm', { token: who === 'owner' ? w.resetToken : GUESSED_RESET, password: NEW_PASSWORD }),
    expect: cells('400 RESET_TOKEN_INVALID', '400 RESET_TOKEN_INVALID', '400 RESET_TOKEN_INVALID', '204'),
    world: { resetLink: true },
    revokesOwner: true,
  },
  {
    route: 'GET /reset-password',
    variant: "the owner's mailed link",
    call: (w) => call('GET', `/reset-password?token=${encodeURIComponent(w.resetToken!)}`),
    expect: anyone('200'),
    world: { resetLink: true },
    sameAsMissing: true,
  },
  {
    route: 'POST /reset-password',
    variant: "the owner's mailed link, which only the owner has",
    call: (w, who) => ({
      method: 'POST',
      path: '/reset-password',
      form: { token: who === 'owner' ? w.resetToken! : GUESSED_RESET, password: NEW_PASSWORD, confirm: NEW_PASSWORD },
    }),
    expect: cells('400', '400', '400', '200'),
    world: { resetLink: true },
    revokesOwner: true,
  },
  { route: 'POST /api/v1/tokens', call: () => call('POST', '/api/v1/tokens', { name: 'mine' }), expect: anyUser('201') },
  { route: 'GET /api/v1/tokens', call: () => call('GET', '/api/v1/tokens'), expect: anyUser('200') },
  { route: 'DELETE /api/v1/tokens/:id', call: (w) => call('DELETE', `/api/v1/tokens/${w.tokenId}`), expect: ownerOnly('204', '404 NOT_FOUND') },

  { route: 'POST /api/v1/apps', call: () => call('POST', '/api/v1/apps', { name: 'mine' }), expect: anyUser('201'), undo: undoAt('/api/v1/apps') },
  { route: 'GET /api/v1/apps', call: () => call('GET', '/api/v1/apps'), expect: anyUser('200') },
  { route: 'GET /api/v1/apps/:appId', call: (w) => call('GET', app(w)), expect: ownerOnly('200') },
  { route: 'PATCH /api/v1/apps/:appId', call: (w) => call('PATCH', app(w), { description: 'changed' }), expect: ownerOnly('200') },
  { route: 'DELETE /api/v1/apps/:appId', call: (w) => call('DELETE', app(w)), expect: ownerOnly('204') },
  { route: 'POST /api/v1/apps/:appId/start', call: (w) => call('POST', app(w, '/start')), expect: ownerOnly('200') },
  { route: 'POST /api/v1/apps/:appId/stop', call: (w) => call('POST', app(w, '/stop')), expect: ownerOnly('200'), world: { running: true } },
  {
    route: 'PUT /api/v1/apps/:appId/functions/:name',
    call: (w) => call('PUT', app(w, '/functions/hiddenfn'), { code: 'export default () => "replaced";' }),
    expect: ownerOnly('200'),
  },
  { route: 'GET /api/v1/apps/:appId/functions', call: (w) => call('GET', app(w, '/functions')), expect: ownerOnly('200') },
  {
    route: 'GET /api/v1/apps/:appId/functions/:name',
    variant: 'a private function',
    call: (w) => call('GET', app(w, '/functions/hiddenfn')),
    expect: ownerOnly('200'),
  },
  {
    route: 'GET /api/v1/apps/:appId/functions/:name',
    variant: 'a public function',
    call: (w) => call('GET', app(w, '/functions/shared')),
    expect: ownerOnly('200'),
  },
  { route: 'DELETE /api/v1/apps/:appId/functions/:name', call: (w) => call('DELETE', app(w, '/functions/spare')), expect: ownerOnly('204') },
  {
    route: 'POST /api/v1/apps/:appId/functions/:name/invoke',
    variant: 'a private function',
    call: (w) => call('POST', app(w, '/functions/hiddenfn/invoke'), {}),
    expect: ownerOnly('200'),
  },
  {
    route: 'POST /api/v1/apps/:appId/functions/:name/invoke',
    variant: 'a public function',
    call: (w) => call('POST', app(w, '/functions/shared/invoke'), { input: 1 }),
    expect: ownerOnly('200'),
  },
  {
    route: 'GET /api/v1/apps/:appId/functions/:name/logs',
    variant: 'a private function',
    call: (w) => call('GET', app(w, '/functions/hiddenfn/logs')),
    expect: ownerOnly('200'),
  },
  {
    route: 'GET /api/v1/apps/:appId/functions/:name/logs',
    variant: 'a public function',
    call: (w) => call('GET', app(w, '/functions/shared/logs')),
    expect: ownerOnly('200'),
  },
  {
    route: 'GET /api/v1/apps/:appId/functions/:name/code',
    variant: 'a private function',
    call: (w) => call('GET', app(w, '/functions/hiddenfn/code')),
    // The bundle of a public function is anyone's, so this route answers without a token: anonymous is "not found" too.
    expect: cells('404 APP_NOT_FOUND', '404 APP_NOT_FOUND', '404 APP_NOT_FOUND', '200'),
  },
  {
    route: 'GET /api/v1/apps/:appId/functions/:name/code',
    variant: 'a public function',
    call: (w) => call('GET', app(w, '/functions/shared/code')),
    expect: anyone('200'),
  },
  { route: 'GET /api/v1/apps/:appId/files', call: (w) => call('GET', app(w, '/files')), expect: ownerOnly('200') },
  { route: 'GET /api/v1/apps/:appId/files/:path', call: (w) => call('GET', app(w, `/files/${FILE}`)), expect: ownerOnly('200') },
  {
    route: 'PUT /api/v1/apps/:appId/files/:path',
    call: (w) => ({ method: 'PUT', path: app(w, `/files/${FILE}`), bytes: '<p>replaced</p>\n' }),
    expect: ownerOnly('200'),
  },
  { route: 'DELETE /api/v1/apps/:appId/files/:path', call: (w) => call('DELETE', app(w, `/files/${FILE}`)), expect: ownerOnly('204') },
  {
    route: 'PUT /api/v1/uploads/:sha256',
    call: () => ({ method: 'PUT', path: `/api/v1/uploads/${sha256(UPLOADED)}`, bytes: UPLOADED }),
    // Each user's uploads are their own: the owner sees nothing of them.
    expect: anyUser('201'),
  },
  {
    route: 'POST /api/v1/deploys',
    variant: 'an empty app of a name nobody has',
    call: () => call('POST', '/api/v1/deploys', { name: 'deployed-here', files: [] }),
    expect: anyUser('201'),
    undo: undoAt('/api/v1/apps'),
  },
  {
    route: 'POST /api/v1/deploys',
    variant: "the owner's app's name and the bytes of its file, which only the owner holds",
    call: (w) => call('POST', '/api/v1/deploys', { name: w.app.name, files: [{ path: WORLD_FILE.path, sha256: sha256(WORLD_FILE.text) }] }),
    // Anyone else makes an app of their own, and must have uploaded the bytes: whether anyone holds them is not told.
    expect: cells(ANONYMOUS, '400 INVALID_INPUT', '400 INVALID_INPUT', '200'),
  },
  {
    route: 'POST /api/v1/apps/:appId/endpoints',
    call: (w) => call('POST', app(w, '/endpoints'), { method: 'GET', path: '/mine', function: 'hiddenfn', public: true }),
    expect: ownerOnly('201'),
  },
  { route: 'GET /api/v1/apps/:appId/endpoints', call: (w) => call('GET', app(w, '/endpoints')), expect: ownerOnly('200') },
  {
    route: 'PATCH /api/v1/apps/:appId/endpoints/:id',
    call: (w) => call('PATCH', app(w, `/endpoints/${w.app.privateEndpoint}`), { public: true }),
    expect: ownerOnly('200'),
  },
  { route: 'DELETE /api/v1/apps/:appId/endpoints/:id', call: (w) => call('DELETE', app(w, `/endpoints/${w.app.privateEndpoint}`)), expect: ownerOnly('204') },
  { route: 'GET /api/v1/apps/:appId/versions', call: (w) => call('GET', app(w, '/versions')), expect: ownerOnly('200') },
  { route: 'GET /api/v1/apps/:appId/versions/:version', call: (w) => call('GET', app(w, `/versions/${w.app.versionId}`)), expect: ownerOnly('200') },
  {
    route: 'GET /api/v1/apps/:appId/versions/:version/files/:path',
    call: (w) => call('GET', app(w, `/versions/${w.app.versionId}/files/${FILE}`)),
    expect: ownerOnly('200'),
  },
  {
    route: 'GET /api/v1/apps/:appId/versions/:version/lock',
    variant: 'a version without dependencies',
    call: (w) => call('GET', app(w, `/versions/${w.app.versionId}/lock`)),
    expect: ownerOnly('404 FILE_NOT_FOUND'),
  },
  {
    route: 'POST /api/v1/apps/:appId/versions/:version/activate',
    call: (w) => call('POST', app(w, `/versions/${w.app.versionId}/activate`)),
    expect: ownerOnly('200'),
    world: { running: true },
  },
  {
    route: 'PATCH /api/v1/apps/:appId/versions/:version',
    call: (w) => call('PATCH', app(w, `/versions/${w.app.versionId}`), { frozen: true }),
    expect: ownerOnly('200'),
  },
  { route: 'DELETE /api/v1/apps/:appId/versions/:version', call: (w) => call('DELETE', app(w, `/versions/${w.app.versionId}`)), expect: ownerOnly('204') },
  { route: 'PUT /api/v1/apps/:appId/secrets/:name', call: (w) => call('PUT', app(w, '/secrets/NEW_KEY'), { value: 'mine' }), expect: ownerOnly('201') },
  { route: 'GET /api/v1/apps/:appId/secrets', call: (w) => call('GET', app(w, '/secrets')), expect: ownerOnly('200') },
  { route: 'DELETE /api/v1/apps/:appId/secrets/:name', call: (w) => call('DELETE', app(w, `/secrets/${APP_SECRET_NAME}`)), expect: ownerOnly('204') },

  {
    route: '<METHOD> /run/<appId><path>',
    variant: 'a private endpoint of a running app',
    call: (w) => call('POST', `/run/${w.app.id}/private`, {}),
    expect: cells('404 ENDPOINT_NOT_FOUND', '404 ENDPOINT_NOT_FOUND', '404 ENDPOINT_NOT_FOUND', '200'),
    world: { running: true },
  },
  {
    route: '<METHOD> /run/<appId><path>',
    variant: 'a private endpoint of a stopped app',
    call: (w) => call('POST', `/run/${w.app.id}/private`, {}),
    expect: cells('404 ENDPOINT_NOT_FOUND', '404 ENDPOINT_NOT_FOUND', '404 ENDPOINT_NOT_FOUND', '503 APP_STOPPED'),
  },
  {
    route: '<METHOD> /run/<appId><path>',
    variant: 'a public endpoint of a running app',
    call: (w) => call('POST', `/run/${w.app.id}/public`, { input: 'hi' }),
    expect: anyone('200'),
    world: { running: true },
    // Every call is kept in the owner's log of the function.
    changes: NOT_OWNERS,
  },
  {
    route: '<METHOD> /run/<appId><path>',
    variant: 'a public endpoint of a stopped app',
    call: (w) => call('POST', `/run/${w.app.id}/public`, {}),
    expect: anyone('503 APP_STOPPED'),
    tells: 'a public endpoint says its app is stopped',
  },
  {
    route: '<METHOD> /run/<appId><path>',
    variant: 'a path without an endpoint',
    call: (w) => call('POST', `/run/${w.app.id}/nothing`, {}),
    expect: anyone('404 ENDPOINT_NOT_FOUND'),
    world: { running: true },
  },

  {
    route: 'POST /api/v1/roots',
    variant: 'a Dropbox root',
    call: () => call('POST', '/api/v1/roots', dropbox),
    expect: anyUser('201'),
    undo: undoAt('/api/v1/roots'),
  },
  {
    route: 'POST /api/v1/roots',
    variant: 'a local root',
    call: () => call('POST', '/api/v1/roots', { kind: 'local', path: '/srv/mine' }),
    expect: operatorOnly('201'),
    undo: undoAt('/api/v1/roots'),
  },
  { route: 'GET /api/v1/roots', call: () => call('GET', '/api/v1/roots'), expect: anyUser('200') },
  { route: 'DELETE /api/v1/roots/:id', call: (w) => call('DELETE', `/api/v1/roots/${w.rootId}`), expect: ownerOnly('204', '404 NOT_FOUND') },

  {
    route: 'POST /api/v1/fleet/couriers',
    call: () => call('POST', '/api/v1/fleet/couriers', { name: 'mine' }),
    expect: operatorOnly('201'),
    changes: ['operator'],
    undo: undoAt('/api/v1/fleet/couriers'),
  },
  {
    route: 'POST /api/v1/fleet/couriers/:id/heartbeat',
    call: (w) => call('POST', `/api/v1/fleet/couriers/${w.courierId}/heartbeat`, { serving: [] }),
    expect: operatorOnly('200'),
    // The operator's courier takes the owner's root, credentials and all.
    changes: ['operator'],
    showsRootsToOperators: true,
  },
  {
    route: 'DELETE /api/v1/fleet/couriers/:id',
    call: (w) => call('DELETE', `/api/v1/fleet/couriers/${w.courierId}`),
    expect: operatorOnly('204'),
    changes: ['operator'],
  },
  { route: 'GET /api/v1/fleet/couriers', call: () => call('GET', '/api/v1/fleet/couriers'), expect: operatorOnly('200'), showsRootsToOperators: true },
];

let cloud: TestCloud;
let accounts: Record<Exclude<Caller, 'anonymous'>, Account>;

test.before(async () => {
  cloud = await startTestCloud({ trustProxy: 'loopback' });
  accounts = await signUpCallers(cloud);
});
test.after.always(async () => {
  await cloud?.close();
});

test('the matrix has a case for every route the API pages document, and none for a route they do not', async (t) => {
  const documented = [...new Set(await documentedRoutes())].sort();
  t.true(documented.length > 30, 'the route tables were found');
  t.deepEqual([...new Set(cases.map((c) => c.route))].sort(), documented);
});

const CALLER_NAMES: Record<Caller, string> = { anonymous: 'anonymous', other: 'another user', operator: 'an operator', owner: 'the owner' };

const cell = test.macro({
  async exec(t, c: Case, who: Caller) {
    const world = await makeWorld(cloud, accounts, { ...c.world, freshOwner: c.revokesOwner && who === 'owner' });
    const made: Array<[Caller, Call]> = [];
    t.teardown(() => tidyUp(cloud.url, world, accounts, made));
    const request = c.call(world, who);
    const before = await ownerView(cloud.url, world, accounts.operator);

    const answer = await send(cloud.url, request, who, world.tokens[who]);
    if (c.undo && answer.status < 300) made.push([who, c.undo(answer)]);
    const [status, code] = c.expect[who].split(' ');
    t.is(answer.status, Number(status), answer.text);
    if (code) t.is(answer.body?.error?.code, code, answer.text);
    t.false(answer.text.includes(APP_SECRET), "the answer shows the app's secret");
    if (who === 'owner') return;

    if (!c.changes?.includes(who)) t.deepEqual(await ownerView(cloud.url, world, accounts.operator), before, 'what the owner sees is as before');
    const asked = JSON.stringify(request);
    const shown = c.showsRootsToOperators && who === 'operator' ? rootMarks(world) : [];
    for (const mark of privateMarks(world).filter((mark) => !asked.includes(mark) && !shown.includes(mark)))
      t.false(answer.text.includes(mark), `the answer shows ${mark}`);
    if ((answer.status >= 400 || c.sameAsMissing) && !c.tells) {
      const pairs = madeUp(world);
      const missing = await send(cloud.url, aboutNothing(request, pairs), who, world.tokens[who]);
      t.deepEqual(whatItTells(answer, pairs), whatItTells(missing), 'answered as about a made-up thing');
    }
  },
  title: (_, c: Case, who: Caller) => `${c.route}${c.variant ? ` (${c.variant})` : ''} as ${CALLER_NAMES[who]}: ${c.expect[who]}`,
});

for (const c of cases) for (const who of CALLERS) test.serial(cell, c, who);
