/**
 * A fixed corpus of generated bad HTTP requests (bad paths, bodies, content types, encodings and headers on
 * every documented route, anonymous and signed in) gets no 500: every refusal is a 4xx with a catalogued code.
 */
import test from 'ava';
import fc from 'fast-check';
import { isErrorCode } from '../../base/errors.ts';
import { badRequests, type BadRequest, type Targets } from '../helpers/bad-requests.ts';
import { api, freshEmail, grantOperator, startTestCloud, type TestCloud } from '../helpers/cloud.ts';

/** Fixed, so the corpus is the same on every run; a failure prints it with the request that failed. */
const SEED = 20240612;
const RUNS = 1200;

let cloud: TestCloud;
let targets: Targets;

async function signedIn(email: string): Promise<string> {
  const credentials = { email, password: 'correct horse battery' };
  await api(cloud.url, 'POST', '/api/v1/accounts', credentials);
  return (await api(cloud.url, 'POST', '/api/v1/sessions', credentials)).body.token as string;
}

test.before(async () => {
  const operator = freshEmail('operator');
  cloud = await startTestCloud({ smtp: false });
  const operatorToken = await signedIn(operator);
  await grantOperator(cloud.dataDir, operator);
  const userToken = await signedIn(freshEmail('fuzz'));
  const call = (method: string, path: string, body?: unknown) => api(cloud.url, method, `/api/v1${path}`, body, userToken);
  const app = (await call('POST', '/apps', { name: 'fuzzed' })).body;
  await call('PUT', `/apps/${app.id}/functions/echo`, { code: 'export default (input) => input;\n', public: true });
  await call('PUT', `/apps/${app.id}/files/templates%2Fpage.html`, '<p>a page</p>\n');
  const endpoint = (await call('POST', `/apps/${app.id}/endpoints`, { method: 'POST', path: '/echo', function: 'echo', public: true })).body;
  await call('POST', `/apps/${app.id}/endpoints`, { method: 'GET', path: '/echo', function: 'echo' });
  await call('POST', `/apps/${app.id}/start`);
  const { key } = (await call('POST', `/apps/${app.id}/functions/echo/invoke`, { input: null })).body;
  const token = (await call('POST', '/tokens', { name: 'fuzz' })).body;
  targets = { appId: app.id, fn: 'echo', key, endpointId: endpoint.id, tokenId: token.id, userToken, operatorToken };
});

test.after.always(async () => {
  await cloud?.close();
});

/** Requests that would end the session, app, endpoint or token the rest of the corpus calls on, or stop the app. */
function selfDefeating(request: BadRequest): boolean {
  const path = request.path.split('?', 1)[0]!.toLowerCase().replace(/\/+$/, '');
  const app = `/api/v1/apps/${targets.appId}`.toLowerCase();
  if (request.method === 'POST') return path === `${app}/stop`;
  if (request.method !== 'DELETE') return false;
  const kept = ['/api/v1/sessions/current', app, `${app}/endpoints/${targets.endpointId}`.toLowerCase(), `/api/v1/tokens/${targets.tokenId}`.toLowerCase()];
  return kept.includes(path);
}

async function send(request: BadRequest): Promise<{ status: number; text: string; type: string }> {
  const response = await fetch(cloud.url + request.path, { method: request.method, headers: request.headers, body: request.body });
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') ?? '' };
}

test(`${RUNS} generated bad requests get no 500, and every error answer carries a catalogued code (seed ${SEED})`, async (t) => {
  t.timeout(120_000);
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(badRequests(targets), async (request) => {
      if (selfDefeating(request)) return;
      sent++;
      const { status, text, type } = await send(request);
      if (status >= 500 && !/"code":"(FUNCTION_THREW|APP_STOPPED|SANDBOX_FAILED|TIMEOUT|BUSY|START_TIMEOUT)"/.test(text)) {
        throw new Error(`answered ${status}: ${text.slice(0, 300)}`);
      }
      if (status >= 400 && request.method !== 'HEAD') {
        if (!type.includes('application/json')) throw new Error(`answered ${status} with ${type}: ${text.slice(0, 300)}`);
        const code: unknown = JSON.parse(text).error?.code;
        if (!isErrorCode(code)) throw new Error(`answered ${status} without a catalogued code: ${text.slice(0, 300)}`);
      }
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true, includeErrorInReport: true },
  );
  t.true(sent >= 1000, `${sent} requests sent`);
});

const deepPrecomputed = () => `{"precomputed":{${JSON.stringify(targets.key)}:${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
const known: Array<[string, () => { method: string; path: string; headers?: Record<string, string>; body?: string | Uint8Array }]> = [
  ['a malformed %-escape in a path parameter', () => ({ method: 'GET', path: '/api/v1/apps/%' })],
  ...(['gzip', 'deflate', 'br'] as const).map((coding): (typeof known)[number] => [
    `a ${coding} body on an Express route`,
    () => ({
      method: 'POST',
      path: '/api/v1/sessions',
      headers: { 'content-type': 'application/json', 'content-encoding': coding },
      body: '{"email":"a@example.com"}',
    }),
  ]),
  [
    'a deeply nested precomputed result of a test-invoke',
    () => ({
      method: 'POST',
      path: `/api/v1/apps/${targets.appId}/functions/echo/invoke`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${targets.userToken}` },
      body: deepPrecomputed(),
    }),
  ],
  [
    'a deeply nested precomputed result of an endpoint call',
    () => ({ method: 'POST', path: `/run/${targets.appId}/echo`, headers: { 'content-type': 'application/json' }, body: deepPrecomputed() }),
  ],
];

for (const [title, make] of known) {
  test(`${title} is refused 400 INVALID_INPUT`, async (t) => {
    const { method, path, headers, body } = make();
    const response = await fetch(cloud.url + path, { method, headers, body });
    t.is(response.status, 400);
    t.is(((await response.json()) as { error: { code: string } }).error.code, 'INVALID_INPUT');
  });
}
