/**
 * The auth matrix: every documented route as anonymous, another user, an operator, the owner and a grantee of each
 * level (READ, RUN, WRITE, FULL_CONTROL), with the status each gets, on an app shared with the grantees and, in some
 * cases, with everyone; what a caller is refused changes nothing, and tells no more than a made-up id.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import type { Access } from '../../cloud/data.ts';
import { allows } from '../../cloud/services/app-access.ts';
import { freshEmail, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import {
  aboutNothing,
  accessIn,
  APP_SECRET,
  APP_SECRET_NAME,
  CALLERS,
  documentedRoutes,
  GRANTEES,
  GRANTS,
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
  type Accounts,
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
const FORBIDDEN = '403 FORBIDDEN';
/** The answers of a route about no app: the grantees are answered as any other user. */
const cells = (anonymous: string, other: string, operator: string, owner: string): Record<Caller, string> => ({
  anonymous,
  other,
  operator,
  owner,
  reader: other,
  runner: other,
  writer: other,
  controller: other,
});
const anyone = (answer: string) => cells(answer, answer, answer, answer);
const anyUser = (answer: string) => cells(ANONYMOUS, answer, answer, answer);
const ownerOnly = (answer: string, refused: string) => cells(ANONYMOUS, refused, refused, answer);
const operatorOnly = (answer: string) => cells(ANONYMOUS, FORBIDDEN, answer, FORBIDDEN);

interface Needs {
  /** The answer to a caller who may not see the app. */
  refused?: string;
  /** The route takes anonymous callers, who are answered as any other caller without a grant. */
  open?: boolean;
  /** The world's app grants everyone this (the case's `world` must say so too). */
  everyone?: 'READ' | 'RUN';
}

/**
 * The answers of a route of the app that needs `level`: the owner and those granted it (or more) get `answer`,
 * those who may see the app but have less are forbidden, and those who may not see it are answered as about nothing.
 */
function needs(level: Access, answer: string, { refused = '404 APP_NOT_FOUND', open = false, everyone }: Needs = {}): Record<Caller, string> {
  const stranger = everyone ? (allows(everyone, level) ? answer : FORBIDDEN) : refused;
  const grantees = Object.fromEntries(GRANTEES.map((grantee) => [grantee, allows(GRANTS[grantee], level) || allows(everyone, level) ? answer : FORBIDDEN]));
  return { anonymous: open ? stranger : ANONYMOUS, other: stranger, operator: stranger, owner: answer, ...grantees } as Record<Caller, string>;
}
const NOT_OWNERS: Caller[] = ['anonymous', 'other', 'operator', ...GRANTEES];

const NEW_PASSWORD = 'purple elephant marmalade 77';
const NOBODY = `nobody-${process.pid}@example.org`;
/** Endpoint calls take anonymous callers, and answer those who may not see the app as about a missing endpoint. */
const RUN_PATH: Needs = { open: true, refused: '404 ENDPOINT_NOT_FOUND' };
const GUESSED_RESET = `ecr_${'g'.repeat(43)}`;
const call = (method: string, path: string, json?: unknown): Call => ({ method, path, json });
const app = (w: World, rest = '') => `/api/v1/apps/${w.app.id}${rest}`;
const undoAt = (prefix: string) => (answer: { body: any }) => call('DELETE', `${prefix}/${answer.body.id}`);
const FILE = encodeURIComponent(WORLD_FILE.path);
const UPLOADED = 'bytes for a deploy\n';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** One call of `fn` as an edge run or a courier reports it. */
const reportedDigest = (fn: string) => ({
  function: fn,
  version: 'abc123',
  calls: 1,
  errors: 0,
  served: { executed: 1, cache: 0, precomputed: 0 },
  durationMs: [[300, 1]],
  coldStarts: 0,
  coldStartMs: [],
  peakMemoryBytes: { count: 1, sum: 1000, max: 1000 },
  inputBytes: { count: 1, sum: 2, max: 2 },
  outputBytes: { count: 1, sum: 1, max: 1 },
  places: { cloud: 0, courier: 0, edge: 1 },
  firstAt: 1_700_000_000_000,
  lastAt: 1_700_000_000_000,
});
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
  { route: 'GET /api/v1/sessions/current', call: () => call('GET', '/api/v1/sessions/current'), expect: anyone('200') },
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
  { route: 'POST /api/v1/tokens', call: () => call('POST', '/api/v1/tokens', { name: 'mine' }), expect: anyUser('201') },
  { route: 'GET /api/v1/tokens', call: () => call('GET', '/api/v1/tokens'), expect: anyUser('200') },
  { route: 'DELETE /api/v1/tokens/:id', call: (w) => call('DELETE', `/api/v1/tokens/${w.tokenId}`), expect: ownerOnly('204', '404 NOT_FOUND') },

  { route: 'POST /api/v1/apps', call: () => call('POST', '/api/v1/apps', { name: 'mine' }), expect: anyUser('201'), undo: undoAt('/api/v1/apps') },
  { route: 'GET /api/v1/apps', call: () => call('GET', '/api/v1/apps'), expect: anyUser('200') },
  { route: 'GET /api/v1/apps/:appId', call: (w) => call('GET', app(w)), expect: needs('READ', '200') },
  {
    route: 'GET /api/v1/apps/:appId',
    variant: 'an app everyone may read',
    call: (w) => call('GET', app(w)),
    expect: needs('READ', '200', { everyone: 'READ' }),
    world: { everyone: 'READ' },
    tells: 'everyone may read the app',
  },
  { route: 'PATCH /api/v1/apps/:appId', call: (w) => call('PATCH', app(w), { description: 'changed' }), expect: needs('WRITE', '200') },
  {
    route: 'PATCH /api/v1/apps/:appId',
    variant: 'an app everyone may run',
    call: (w) => call('PATCH', app(w), { description: 'changed' }),
    expect: needs('WRITE', '200', { everyone: 'RUN' }),
    world: { everyone: 'RUN' },
  },
  { route: 'DELETE /api/v1/apps/:appId', call: (w) => call('DELETE', app(w)), expect: needs('FULL_CONTROL', '204') },
  { route: 'POST /api/v1/apps/:appId/start', call: (w) => call('POST', app(w, '/start')), expect: needs('WRITE', '200') },
  { route: 'POST /api/v1/apps/:appId/stop', call: (w) => call('POST', app(w, '/stop')), expect: needs('WRITE', '200'), world: { running: true } },
  {
    route: 'PUT /api/v1/apps/:appId/functions/:name',
    call: (w) => call('PUT', app(w, '/functions/hiddenfn'), { code: 'export default () => "replaced";' }),
    expect: needs('WRITE', '200'),
  },
  {
    route: 'PATCH /api/v1/apps/:appId/functions/:name',
    call: (w) => call('PATCH', app(w, '/functions/hiddenfn'), { idempotent: true }),
    expect: needs('WRITE', '200'),
  },
  { route: 'GET /api/v1/apps/:appId/functions', call: (w) => call('GET', app(w, '/functions')), expect: needs('READ', '200') },
  {
    route: 'GET /api/v1/apps/:appId/functions/:name',
    variant: 'a private function',
    call: (w) => call('GET', app(w, '/functions/hiddenfn')),
    expect: needs('READ', '200'),
  },
  {
    route: 'GET /api/v1/apps/:appId/functions/:name',
    variant: 'a public function',
    call: (w) => call('GET', app(w, '/functions/shared')),
    expect: needs('READ', '200'),
  },
  { route: 'DELETE /api/v1/apps/:appId/functions/:name', call: (w) => call('DELETE', app(w, '/functions/spare')), expect: needs('WRITE', '204') },
  {
    route: 'POST /api/v1/apps/:appId/functions/:name/invoke',
    variant: 'a private function',
    call: (w) => call('POST', app(w, '/functions/hiddenfn/invoke'), {}),
    expect: needs('RUN', '200'),
  },
  {
    route: 'POST /api/v1/apps/:appId/functions/:name/invoke',
    variant: 'a private function of an app everyone may run',
    call: (w) => call('POST', app(w, '/functions/hiddenfn/invoke'), {}),
    expect: needs('RUN', '200', { everyone: 'RUN' }),
    world: { everyone: 'RUN' },
  },
  {
    route: 'POST /api/v1/apps/:appId/functions/:name/invoke',
    variant: 'a public function',
    call: (w) => call('POST', app(w, '/functions/shared/invoke'), { input: 1 }),
    expect: needs('RUN', '200'),
  },
  {
    route: 'GET /api/v1/apps/:appId/functions/:name/logs',
    variant: 'a private function',
    call: (w) => call('GET', app(w, '/functions/hiddenfn/logs')),
    expect: needs('WRITE', '200'),
  },
  {
    route: 'GET /api/v1/apps/:appId/functions/:name/logs',
    variant: 'a public function',
    call: (w) => call('GET', app(w, '/functions/shared/logs')),
    expect: needs('WRITE', '200'),
  },
  {
    route: 'GET /api/v1/apps/:appId/functions/:name/code',
    variant: 'a private function',
    call: (w) => call('GET', app(w, '/functions/hiddenfn/code')),
    // The bundle of a public function is anyone's, so this route answers without a token: anonymous is "not found" too.
    expect: needs('READ', '200', { open: true }),
  },
  {
    route: 'GET /api/v1/apps/:appId/functions/:name/code',
    variant: 'a private function of an app everyone may read',
    call: (w) => call('GET', app(w, '/functions/hiddenfn/code')),
    expect: needs('READ', '200', { open: true, everyone: 'READ' }),
    world: { everyone: 'READ' },
    tells: 'everyone may read the app',
  },
  {
    route: 'GET /api/v1/apps/:appId/functions/:name/code',
    variant: 'a public function',
    call: (w) => call('GET', app(w, '/functions/shared/code')),
    expect: anyone('200'),
  },
  { route: 'GET /api/v1/apps/:appId/files', call: (w) => call('GET', app(w, '/files')), expect: needs('READ', '200') },
  { route: 'GET /api/v1/apps/:appId/files/:path', call: (w) => call('GET', app(w, `/files/${FILE}`)), expect: needs('READ', '200') },
  {
    route: 'PUT /api/v1/apps/:appId/files/:path',
    call: (w) => ({ method: 'PUT', path: app(w, `/files/${FILE}`), bytes: '<p>replaced</p>\n' }),
    expect: needs('WRITE', '200'),
  },
  { route: 'DELETE /api/v1/apps/:appId/files/:path', call: (w) => call('DELETE', app(w, `/files/${FILE}`)), expect: needs('WRITE', '204') },
  { route: 'GET /api/v1/apps/:appId/versions', call: (w) => call('GET', app(w, '/versions')), expect: needs('READ', '200') },
  { route: 'GET /api/v1/apps/:appId/versions/:version', call: (w) => call('GET', app(w, `/versions/${w.app.versionId}`)), expect: needs('READ', '200') },
  {
    route: 'GET /api/v1/apps/:appId/versions/:version/files/:path',
    call: (w) => call('GET', app(w, `/versions/${w.app.versionId}/files/${FILE}`)),
    expect: needs('READ', '200'),
  },
  {
    route: 'GET /api/v1/apps/:appId/versions/:version/lock',
    variant: 'a version without dependencies',
    call: (w) => call('GET', app(w, `/versions/${w.app.versionId}/lock`)),
    expect: needs('READ', '404 FILE_NOT_FOUND'),
  },
  {
    route: 'POST /api/v1/apps/:appId/versions/:version/activate',
    call: (w) => call('POST', app(w, `/versions/${w.app.versionId}/activate`)),
    expect: needs('WRITE', '200'),
    world: { running: true },
  },
  {
    route: 'PATCH /api/v1/apps/:appId/versions/:version',
    call: (w) => call('PATCH', app(w, `/versions/${w.app.versionId}`), { frozen: true }),
    expect: needs('FULL_CONTROL', '200'),
  },
  {
    route: 'DELETE /api/v1/apps/:appId/versions/:version',
    call: (w) => call('DELETE', app(w, `/versions/${w.app.versionId}`)),
    expect: needs('FULL_CONTROL', '204'),
  },
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
    route: 'POST /api/v1/deploys',
    variant: "the owner's app's id and the bytes of its file",
    call: (w) => call('POST', '/api/v1/deploys', { appId: w.app.id, files: [{ path: WORLD_FILE.path, sha256: sha256(WORLD_FILE.text) }] }),
    expect: needs('WRITE', '200'),
  },
  {
    route: 'POST /api/v1/apps/:appId/endpoints',
    call: (w) => call('POST', app(w, '/endpoints'), { method: 'GET', path: '/mine', function: 'hiddenfn', public: true }),
    expect: needs('WRITE', '201'),
  },
  { route: 'GET /api/v1/apps/:appId/endpoints', call: (w) => call('GET', app(w, '/endpoints')), expect: needs('READ', '200') },
  {
    route: 'PATCH /api/v1/apps/:appId/endpoints/:id',
    call: (w) => call('PATCH', app(w, `/endpoints/${w.app.privateEndpoint}`), { public: true }),
    expect: needs('WRITE', '200'),
  },
  {
    route: 'DELETE /api/v1/apps/:appId/endpoints/:id',
    call: (w) => call('DELETE', app(w, `/endpoints/${w.app.privateEndpoint}`)),
    expect: needs('WRITE', '204'),
  },
  {
    route: 'PUT /api/v1/apps/:appId/secrets/:name',
    call: (w) => call('PUT', app(w, '/secrets/NEW_KEY'), { value: 'mine' }),
    expect: needs('FULL_CONTROL', '201'),
  },
  { route: 'GET /api/v1/apps/:appId/secrets', call: (w) => call('GET', app(w, '/secrets')), expect: needs('FULL_CONTROL', '200') },
  {
    route: 'DELETE /api/v1/apps/:appId/secrets/:name',
    call: (w) => call('DELETE', app(w, `/secrets/${APP_SECRET_NAME}`)),
    expect: needs('FULL_CONTROL', '204'),
  },
  { route: 'GET /api/v1/apps/:appId/grants', call: (w) => call('GET', app(w, '/grants')), expect: needs('FULL_CONTROL', '200') },
  {
    route: 'PUT /api/v1/apps/:appId/grants/:grantee',
    variant: 'everyone, READ',
    call: (w) => call('PUT', app(w, '/grants/*'), { access: 'READ' }),
    expect: needs('FULL_CONTROL', '201'),
  },
  {
    route: 'PUT /api/v1/apps/:appId/grants/:grantee',
    variant: 'an address without an account',
    call: (w) => call('PUT', app(w, `/grants/${NOBODY}`), { access: 'RUN' }),
    expect: needs('FULL_CONTROL', '404 USER_NOT_FOUND'),
  },
  {
    route: 'DELETE /api/v1/apps/:appId/grants/:grantee',
    variant: "the reader's grant",
    call: (w) => call('DELETE', app(w, `/grants/${w.grantees.reader}`)),
    expect: needs('FULL_CONTROL', '204'),
  },
  { route: 'GET /api/v1/catalog', call: () => call('GET', '/api/v1/catalog'), expect: anyUser('200') },
  {
    route: 'GET /api/v1/catalog',
    variant: 'the app is one everyone may read',
    call: (w) => call('GET', `/api/v1/catalog?q=${w.app.name}`),
    expect: anyUser('200'),
    world: { everyone: 'READ' },
    tells: 'everyone may read the app',
  },
  { route: 'GET /api/v1/apps/:appId/profile', call: (w) => call('GET', app(w, '/profile?function=spare')), expect: needs('READ', '200') },
  {
    route: 'POST /api/v1/apps/:appId/profile',
    call: (w) => call('POST', app(w, '/profile'), { digests: [reportedDigest('spare')] }),
    expect: needs('RUN', '204'),
  },
  { route: 'GET /api/v1/apps/:appId/schedules', call: (w) => call('GET', app(w, '/schedules')), expect: needs('READ', '200') },
  { route: 'GET /api/v1/apps/:appId/activations', call: (w) => call('GET', app(w, '/activations?function=spare')), expect: needs('WRITE', '200') },
  {
    route: 'GET /api/v1/apps/:appId/activations/follow',
    // A stream that ends after what it missed, so that the answer can be read whole.
    call: (w) => call('GET', app(w, '/activations/follow?seconds=0&after=0')),
    expect: needs('WRITE', '200'),
    world: { activation: true },
  },
  {
    route: 'GET /api/v1/activations/:id',
    call: (w) => call('GET', `/api/v1/activations/${w.activationId}`),
    // Those who may not change the app are told nothing of its records, not even that one exists.
    expect: { ...needs('WRITE', '200', { refused: '404 ACTIVATION_NOT_FOUND' }), reader: '404 ACTIVATION_NOT_FOUND', runner: '404 ACTIVATION_NOT_FOUND' },
    world: { activation: true },
  },

  {
    route: '<METHOD> /run/<appId><path>',
    variant: 'a private endpoint of a running app',
    call: (w) => call('POST', `/run/${w.app.id}/private`, {}),
    expect: needs('RUN', '200', RUN_PATH),
    world: { running: true },
  },
  {
    route: '<METHOD> /run/<appId><path>',
    variant: 'a private endpoint of a running app everyone may run',
    call: (w) => call('POST', `/run/${w.app.id}/private`, {}),
    expect: needs('RUN', '200', { ...RUN_PATH, everyone: 'RUN' }),
    world: { running: true, everyone: 'RUN' },
  },
  {
    route: '<METHOD> /run/<appId><path>',
    variant: 'a private endpoint of a running app everyone may read',
    call: (w) => call('POST', `/run/${w.app.id}/private`, {}),
    expect: needs('RUN', '200', { ...RUN_PATH, everyone: 'READ' }),
    world: { running: true, everyone: 'READ' },
  },
  {
    route: '<METHOD> /run/<appId><path>',
    variant: 'a private endpoint of a stopped app',
    call: (w) => call('POST', `/run/${w.app.id}/private`, {}),
    expect: needs('RUN', '503 APP_STOPPED', RUN_PATH),
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
  {
    route: 'GET /api/v1/roots/:rootId/profile',
    call: (w) => call('GET', `/api/v1/roots/${w.rootId}/profile?app=shop`),
    expect: ownerOnly('200', '404 NOT_FOUND'),
  },
  {
    route: 'POST /api/v1/fleet/profiles',
    call: (w) =>
      call('POST', '/api/v1/fleet/profiles', {
        courierId: w.courierId,
        roots: [{ rootId: w.rootId, apps: [{ app: 'shop', digests: [reportedDigest('spare')] }] }],
      }),
    expect: operatorOnly('200'),
  },
  { route: 'GET /api/v1/fleet/couriers', call: () => call('GET', '/api/v1/fleet/couriers'), expect: operatorOnly('200'), showsRootsToOperators: true },
  // The world's courier holds no lease on the owner's root: even the operator's courier publishes nothing for it.
  {
    route: 'GET /api/v1/fleet/couriers/:id/roots/:rootId/apps',
    call: (w) => call('GET', `/api/v1/fleet/couriers/${w.courierId}/roots/${w.rootId}/apps`),
    expect: operatorOnly('409 ROOT_NOT_HELD'),
  },
  {
    route: 'PUT /api/v1/fleet/couriers/:id/roots/:rootId/uploads/:sha256',
    call: (w) => call('PUT', `/api/v1/fleet/couriers/${w.courierId}/roots/${w.rootId}/uploads/${'0'.repeat(64)}`, { any: 'bytes' }),
    expect: operatorOnly('409 ROOT_NOT_HELD'),
  },
  {
    route: 'PUT /api/v1/fleet/couriers/:id/roots/:rootId/apps/:name',
    call: (w) => call('PUT', `/api/v1/fleet/couriers/${w.courierId}/roots/${w.rootId}/apps/shop`, { files: [] }),
    expect: operatorOnly('409 ROOT_NOT_HELD'),
  },
  {
    route: 'DELETE /api/v1/fleet/couriers/:id/roots/:rootId/apps/:name',
    call: (w) => call('DELETE', `/api/v1/fleet/couriers/${w.courierId}/roots/${w.rootId}/apps/shop`),
    expect: operatorOnly('409 ROOT_NOT_HELD'),
  },
];

let cloud: TestCloud;
let accounts: Accounts;

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

const CALLER_NAMES: Record<Caller, string> = {
  anonymous: 'anonymous',
  other: 'another user',
  operator: 'an operator',
  owner: 'the owner',
  reader: 'a READ grantee',
  runner: 'a RUN grantee',
  writer: 'a WRITE grantee',
  controller: 'a FULL_CONTROL grantee',
};

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

    const access = accessIn(world, who);
    const asked = JSON.stringify(request);
    // A caller the app grants something may change it as its grant allows.
    const granted = access !== undefined && asked.includes(world.app.id) && answer.status < 300 && request.method !== 'GET';
    if (!c.changes?.includes(who) && !granted) t.deepEqual(await ownerView(cloud.url, world, accounts.operator), before, 'what the owner sees is as before');
    const shown = c.showsRootsToOperators && who === 'operator' ? rootMarks(world) : [];
    for (const mark of privateMarks(world, who).filter((mark) => !asked.includes(mark) && !shown.includes(mark)))
      t.false(answer.text.includes(mark), `the answer shows ${mark}`);
    if ((answer.status >= 400 || c.sameAsMissing) && !c.tells) {
      // A caller who may see the app knows its ids; about everything else it must learn no more than about nothing.
      const pairs = madeUp(world, access !== undefined);
      const missing = await send(cloud.url, aboutNothing(request, pairs), who, world.tokens[who]);
      t.deepEqual(whatItTells(answer, pairs), whatItTells(missing), 'answered as about a made-up thing');
    }
  },
  title: (_, c: Case, who: Caller) => `${c.route}${c.variant ? ` (${c.variant})` : ''} as ${CALLER_NAMES[who]}: ${c.expect[who]}`,
});

for (const c of cases) for (const who of CALLERS) test.serial(cell, c, who);
