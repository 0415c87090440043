/** The session cookie authenticates a change only with its CSRF token; bearer tokens need none; reads need none. */
import test from 'ava';
import { api, freshEmail, startTestCloud, type TestCloud } from '../helpers/cloud.ts';

let cloud: TestCloud;
test.before(async () => {
  cloud = await startTestCloud();
});
test.after.always(async () => {
  await cloud?.close();
});

interface Browser {
  /** The session cookie as a browser sends it back. */
  cookie: string;
  token: string;
  csrfToken: string;
}

async function logIn(): Promise<Browser> {
  const credentials = { email: freshEmail('csrf'), password: 'correct horse battery' };
  await api(cloud.url, 'POST', '/api/v1/accounts', credentials);
  const session = await api(cloud.url, 'POST', '/api/v1/sessions', credentials);
  const cookie = session.headers
    .getSetCookie()
    .find((line) => line.startsWith('ec_session='))!
    .split(';')[0]!;
  return { cookie, token: session.body.token, csrfToken: session.body.csrfToken };
}

/** A request as a browser makes it: the cookie, and the CSRF header when given. */
async function withCookie(browser: Browser, method: string, path: string, body?: unknown, csrfToken?: string) {
  const headers: Record<string, string> = { cookie: browser.cookie, 'content-type': 'application/json' };
  if (csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(cloud.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

test('a change with the session cookie and no CSRF token is refused with 403 CSRF_TOKEN_INVALID, and nothing changes', async (t) => {
  const browser = await logIn();
  const refused = await withCookie(browser, 'POST', '/api/v1/apps', { name: 'forged' });
  t.is(refused.status, 403);
  t.is(refused.body.error.code, 'CSRF_TOKEN_INVALID');
  t.regex(refused.body.error.message, /x-csrf-token/);
  const wrong = await withCookie(browser, 'POST', '/api/v1/apps', { name: 'forged' }, 'not-the-token');
  t.is(wrong.body.error.code, 'CSRF_TOKEN_INVALID');
  const out = await withCookie(browser, 'DELETE', '/api/v1/sessions/current');
  t.is(out.status, 403, 'a forged log-out is refused too');
  t.deepEqual((await api(cloud.url, 'GET', '/api/v1/apps', undefined, browser.token)).body.apps, []);
});

test('the same change with the CSRF token of the log-in or of /me is made', async (t) => {
  const browser = await logIn();
  const me = await withCookie(browser, 'GET', '/api/v1/me');
  t.is(me.status, 200, 'reads need no CSRF token');
  t.is(me.body.csrfToken, browser.csrfToken);
  const made = await withCookie(browser, 'POST', '/api/v1/apps', { name: 'real' }, browser.csrfToken);
  t.is(made.status, 201);
  const other = await logIn();
  const crossed = await withCookie(browser, 'POST', '/api/v1/apps', { name: 'crossed' }, other.csrfToken);
  t.is(crossed.body.error.code, 'CSRF_TOKEN_INVALID', "another session's token does not do");
});

test('a bearer token needs no CSRF token, and a log-in works with an old cookie present', async (t) => {
  const browser = await logIn();
  t.is((await api(cloud.url, 'POST', '/api/v1/apps', { name: 'by-cli' }, browser.token)).status, 201);
  const email = freshEmail('csrf-relog');
  await api(cloud.url, 'POST', '/api/v1/accounts', { email, password: 'correct horse battery' });
  const again = await withCookie(browser, 'POST', '/api/v1/sessions', { email, password: 'correct horse battery' });
  t.is(again.status, 201);
});

test('an endpoint call with the cookie and no CSRF token is a stranger’s: a private endpoint is not found', async (t) => {
  const browser = await logIn();
  const app = (await api(cloud.url, 'POST', '/api/v1/apps', { name: 'private' }, browser.token)).body;
  await api(cloud.url, 'PUT', `/api/v1/apps/${app.id}/functions/echo`, { code: 'export default (input) => input;\n' }, browser.token);
  await api(cloud.url, 'POST', `/api/v1/apps/${app.id}/endpoints`, { method: 'POST', path: '/echo', function: 'echo', public: false }, browser.token);
  await api(cloud.url, 'POST', `/api/v1/apps/${app.id}/start`, undefined, browser.token);
  const forged = await withCookie(browser, 'POST', `/run/${app.id}/echo`, { input: 1 });
  t.is(forged.status, 404);
  const real = await withCookie(browser, 'POST', `/run/${app.id}/echo`, { input: 1 }, browser.csrfToken);
  t.is(real.status, 200);
  t.is(real.body.output, 1);
});

test('GET /sessions/current names nobody without an error, and the user and CSRF token with the cookie', async (t) => {
  const nobody = await api(cloud.url, 'GET', '/api/v1/sessions/current');
  t.is(nobody.status, 200);
  t.deepEqual(nobody.body, { user: null });
  const browser = await logIn();
  const current = await withCookie(browser, 'GET', '/api/v1/sessions/current');
  t.is(current.status, 200);
  t.regex(current.body.user.email, /^csrf-/);
  t.is(current.body.csrfToken, browser.csrfToken);
});
