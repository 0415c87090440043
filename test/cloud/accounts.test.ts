/** Accounts, sessions, password resets and API tokens, over real HTTP, with mail caught by a loopback SMTP server. */
import test, { type ExecutionContext } from 'ava';
import { request } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { api, freshEmail, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { resetLinkIn } from '../helpers/reset-link.ts';

let cloud: TestCloud;
test.before(async () => {
  cloud = await startTestCloud();
});
test.after.always(async () => {
  await cloud?.close();
});

async function logIn(email: string, password: string): Promise<string> {
  const { status, body } = await api(cloud.url, 'POST', '/api/v1/sessions', { email, password });
  if (status !== 201) throw new Error(`log-in answered ${status}`);
  return body.token as string;
}

async function signUpAndLogIn(email: string, password = 'correct horse'): Promise<string> {
  await api(cloud.url, 'POST', '/api/v1/accounts', { email, password });
  return logIn(email, password);
}

const confirm = (token: string, password: string) => api(cloud.url, 'POST', '/api/v1/password-resets/confirm', { token, password });

/** Asks for a reset; returns the token of the mailed link. */
async function mailedResetToken(t: ExecutionContext, email: string): Promise<string> {
  t.is((await api(cloud.url, 'POST', '/api/v1/password-resets', { email })).status, 202);
  return resetLinkIn(await cloud.waitForMail(email)).token;
}

test('signing up answers the new user, and the same address again is taken', async (t) => {
  const email = freshEmail('signup');
  const created = await api(cloud.url, 'POST', '/api/v1/accounts', { email, password: 'correct horse' });
  t.is(created.status, 201);
  t.deepEqual(Object.keys(created.body.user).sort(), ['createdAt', 'email', 'id']);
  t.is(created.body.user.email, email);
  const again = await api(cloud.url, 'POST', '/api/v1/accounts', { email: email.toUpperCase(), password: 'another quiet one' });
  t.is(again.status, 409);
  t.is(again.body.error.code, 'EMAIL_TAKEN');
});

test('logging in gives a token and a cookie, and both work on /me', async (t) => {
  const email = freshEmail('login');
  await api(cloud.url, 'POST', '/api/v1/accounts', { email, password: 'correct horse' });
  const session = await api(cloud.url, 'POST', '/api/v1/sessions', { email, password: 'correct horse' });
  t.is(session.status, 201);
  t.true(Date.parse(session.body.expiresAt) > Date.now() + 29 * 24 * 3600_000);
  const cookie = session.headers.getSetCookie().find((line) => line.startsWith('ec_session='));
  t.regex(cookie ?? '', /^ec_session=[^;]+;.*Max-Age=2592000;.*Path=\/;.*HttpOnly;.*SameSite=Strict/);
  t.notRegex(cookie ?? '', /Secure/);
  t.is((await api(cloud.url, 'GET', '/api/v1/me', undefined, session.body.token)).body.user.email, email);
  const byCookie = await fetch(`${cloud.url}/api/v1/me`, { headers: { cookie: cookie!.split(';')[0]! } });
  t.is(byCookie.status, 200);
  t.is(((await byCookie.json()) as { user: { email: string } }).user.email, email);
});

const refusedLogIn = test.macro(async (t, password: string, account: 'exists' | 'unknown') => {
  const email = freshEmail('refused');
  if (account === 'exists') await api(cloud.url, 'POST', '/api/v1/accounts', { email, password: 'correct horse' });
  const { status, body } = await api(cloud.url, 'POST', '/api/v1/sessions', { email, password });
  t.is(status, 401);
  t.is(body.error.code, 'INVALID_CREDENTIALS');
});
test('a wrong password is refused', refusedLogIn, 'wrong horse', 'exists');
test('an address without an account is refused the same way', refusedLogIn, 'correct horse', 'unknown');

test('logging out revokes the token and clears the cookie', async (t) => {
  const token = await signUpAndLogIn(freshEmail('logout'));
  const out = await api(cloud.url, 'DELETE', '/api/v1/sessions/current', undefined, token);
  t.is(out.status, 204);
  t.regex(out.headers.getSetCookie().join('\n'), /ec_session=;.*Expires=Thu, 01 Jan 1970/);
  const after = await api(cloud.url, 'GET', '/api/v1/me', undefined, token);
  t.is(after.status, 401);
  t.is(after.body.error.code, 'UNAUTHORIZED');
});

test('a mailed reset link sets a new password, ends old sessions and works only once', async (t) => {
  const email = freshEmail('reset');
  const before = await signUpAndLogIn(email, 'old amber lantern');
  const token = await mailedResetToken(t, email);
  t.is((await confirm(token, 'new cobalt meadow')).status, 204);
  t.is((await api(cloud.url, 'POST', '/api/v1/sessions', { email, password: 'new cobalt meadow' })).status, 201);
  t.is((await api(cloud.url, 'POST', '/api/v1/sessions', { email, password: 'old amber lantern' })).status, 401);
  t.is((await api(cloud.url, 'GET', '/api/v1/me', undefined, before)).status, 401);
  t.like(await confirm(token, 'third password'), { status: 400, body: { error: { code: 'RESET_TOKEN_INVALID' } } });
});

test('a password reset revokes API tokens too, and the mail says so', async (t) => {
  const email = freshEmail('reset-tokens');
  const session = await signUpAndLogIn(email);
  const made = await api(cloud.url, 'POST', '/api/v1/tokens', { name: 'laptop' }, session);
  t.is((await api(cloud.url, 'GET', '/api/v1/me', undefined, made.body.token)).status, 200);
  t.is((await api(cloud.url, 'POST', '/api/v1/password-resets', { email })).status, 202);
  const mail = await cloud.waitForMail(email);
  t.regex(mail.text ?? '', /revokes every API token/);
  t.is((await confirm(resetLinkIn(mail).token, 'quiet meadow lantern')).status, 204);
  t.like(await api(cloud.url, 'GET', '/api/v1/me', undefined, made.body.token), { status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
  t.deepEqual((await api(cloud.url, 'GET', '/api/v1/tokens', undefined, await logIn(email, 'quiet meadow lantern'))).body, { tokens: [] });
});

test('using one reset link makes every other outstanding link of the account unusable', async (t) => {
  const email = freshEmail('two-links');
  await signUpAndLogIn(email);
  const older = await mailedResetToken(t, email);
  const newer = await mailedResetToken(t, email);
  t.is((await confirm(newer, 'newer password')).status, 204);
  t.like(await confirm(older, 'older password'), { status: 400, body: { error: { code: 'RESET_TOKEN_INVALID' } } });
  t.is((await api(cloud.url, 'POST', '/api/v1/sessions', { email, password: 'newer password' })).status, 201);
});

test('a new password outside 8 to 72 bytes is refused, and the link still works after', async (t) => {
  const email = freshEmail('limits');
  await signUpAndLogIn(email);
  const token = await mailedResetToken(t, email);
  // Too short, one byte over bcrypt's 72, and 40 letters that take 80 bytes.
  for (const password of ['short', 'x'.repeat(73), 'é'.repeat(40)]) {
    t.like(await confirm(token, password), { status: 400, body: { error: { code: 'INVALID_INPUT' } } }, password);
  }
  t.is((await confirm(token, 'xk7#Qz!m'.repeat(9))).status, 204);
});

test('an unknown address gets the same answer as a known one, and no mail', async (t) => {
  const [unknown, known] = [freshEmail('nobody'), freshEmail('somebody')];
  await signUpAndLogIn(known);
  const first = await api(cloud.url, 'POST', '/api/v1/password-resets', { email: unknown });
  const second = await api(cloud.url, 'POST', '/api/v1/password-resets', { email: known });
  t.is(first.status, 202);
  t.deepEqual(first.body, second.body);
  await cloud.waitForMail(known);
  t.is(cloud.mailCount(unknown), 0);
});

test('API tokens are made, listed without secrets, and revoked', async (t) => {
  const session = await signUpAndLogIn(freshEmail('tokens'));
  const other = await signUpAndLogIn(freshEmail('other'));
  const made = await api(cloud.url, 'POST', '/api/v1/tokens', { name: 'laptop' }, session);
  t.is(made.status, 201);
  t.is((await api(cloud.url, 'GET', '/api/v1/me', undefined, made.body.token)).status, 200);
  const listed = await api(cloud.url, 'GET', '/api/v1/tokens', undefined, session);
  t.deepEqual(listed.body, { tokens: [{ id: made.body.id, name: 'laptop', createdAt: made.body.createdAt }] });
  t.is((await api(cloud.url, 'DELETE', `/api/v1/tokens/${made.body.id}`, undefined, other)).status, 404);
  t.is((await api(cloud.url, 'DELETE', `/api/v1/tokens/${made.body.id}`, undefined, session)).status, 204);
  t.is((await api(cloud.url, 'GET', '/api/v1/me', undefined, made.body.token)).status, 401);
  t.is((await api(cloud.url, 'DELETE', `/api/v1/tokens/${made.body.id}`, undefined, session)).status, 404);
  t.is((await api(cloud.url, 'GET', '/api/v1/tokens')).status, 401);
});

const badBody = test.macro(async (t, path: string, body: unknown, status: number, code: string, field?: string) => {
  const token = path === '/api/v1/tokens' ? await signUpAndLogIn(freshEmail('shape')) : undefined;
  const answer = await api(cloud.url, 'POST', path, body, token);
  t.is(answer.status, status);
  t.is(answer.body.error.code, code);
  if (field) t.regex(answer.body.error.message, new RegExp(`\\b${field}\\b`));
});
test('a body that is not JSON is refused', badBody, '/api/v1/accounts', '{"email":', 400, 'INVALID_JSON');
test('a body over 1 MiB is refused', badBody, '/api/v1/accounts', JSON.stringify({ email: 'a'.repeat(1024 * 1024) }), 413, 'PAYLOAD_TOO_LARGE');
test('signing up without a password names the field', badBody, '/api/v1/accounts', { email: freshEmail() }, 400, 'INVALID_INPUT', 'password');
test(
  'signing up with a short password names the field',
  badBody,
  '/api/v1/accounts',
  { email: freshEmail(), password: 'short' },
  400,
  'INVALID_INPUT',
  'password',
);
test(
  'signing up with something that is no address names the field',
  badBody,
  '/api/v1/accounts',
  { email: 'nope', password: 'long enough' },
  400,
  'INVALID_INPUT',
  'email',
);
test('asking for a reset without an address names the field', badBody, '/api/v1/password-resets', {}, 400, 'INVALID_INPUT', 'email');
test(
  'confirming a reset without a token names the field',
  badBody,
  '/api/v1/password-resets/confirm',
  { password: 'long enough' },
  400,
  'INVALID_INPUT',
  'token',
);
test('an API token without a name names the field', badBody, '/api/v1/tokens', { name: '' }, 400, 'INVALID_INPUT', 'name');

test('no answer ever carries a password hash or a token hash', async (t) => {
  const email = freshEmail('hash');
  const answers = [await api(cloud.url, 'POST', '/api/v1/accounts', { email, password: 'correct horse' })];
  answers.push(await api(cloud.url, 'POST', '/api/v1/sessions', { email, password: 'correct horse' }));
  const token = answers[1]!.body.token as string;
  answers.push(await api(cloud.url, 'GET', '/api/v1/me', undefined, token));
  answers.push(await api(cloud.url, 'POST', '/api/v1/tokens', { name: 'ci' }, token));
  answers.push(await api(cloud.url, 'GET', '/api/v1/tokens', undefined, token));
  const data = JSON.parse(await readFile(join(cloud.dataDir, 'cloud.json'), 'utf8'));
  const user = data.users.find((candidate: { email: string }) => candidate.email === email);
  const secrets: string[] = [
    user.passwordHash,
    ...data.tokens.filter((record: { userId: string }) => record.userId === user.id).map((record: { tokenHash: string }) => record.tokenHash),
  ];
  t.is(secrets.length, 3);
  for (const answer of answers) {
    t.false(/passwordHash|tokenHash|\$2[aby]\$/.test(answer.text), answer.text);
    for (const secret of secrets) t.false(answer.text.includes(secret));
  }
});

/** A JSON POST from another loopback address, so that one test process can be several clients. */
function postFrom(
  localAddress: string,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; code?: string; cookie?: string }> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { method: 'POST', localAddress, headers: { ...headers, 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          code: text ? JSON.parse(text).error?.code : undefined,
          cookie: response.headers['set-cookie']?.join('\n'),
        }),
      );
    });
    sent.on('error', reject).end(JSON.stringify(body));
  });
}

test('wrong passwords from one client do not lock the owner, at another client, out', async (t) => {
  const limited = await startTestCloud({ attemptsPerMinute: 2 });
  t.teardown(() => limited.close());
  const email = freshEmail('owner');
  t.is((await api(limited.url, 'POST', '/api/v1/accounts', { email, password: 'correct horse battery' })).status, 201);
  const logIn = (from: string, password: string) => postFrom(from, `${limited.url}/api/v1/sessions`, { email, password });
  for (const _ of [1, 2]) t.is((await logIn('127.0.0.5', 'wrong horse')).status, 401);
  t.deepEqual(await logIn('127.0.0.5', 'correct horse battery'), { status: 429, code: 'RATE_LIMITED', cookie: undefined }, 'the guesser is stopped');
  t.is((await logIn('127.0.0.6', 'correct horse battery')).status, 201, 'the owner is not');
});

test('a client is limited over all addresses too, and reset mails for one address over all clients', async (t) => {
  const limited = await startTestCloud({ attemptsPerMinute: 2 });
  t.teardown(() => limited.close());
  const attempt = (from: string, email: string, path = '/api/v1/sessions') => postFrom(from, `${limited.url}${path}`, { email, password: 'wrong horse' });
  // Twice two (attemptsPerMinute) for each address, up to three times that from one client.
  for (const n of [1, 2, 3, 4, 5, 6]) t.is((await attempt('127.0.0.3', `spray-${n}@example.com`)).status, 401);
  t.like(await attempt('127.0.0.3', 'spray-7@example.com'), { status: 429, code: 'RATE_LIMITED' });
  t.is((await attempt('127.0.0.4', 'spray-7@example.com')).status, 401, 'another client is not limited');
  for (const from of ['127.0.0.8', '127.0.0.9']) t.is((await attempt(from, 'Reset@example.com', '/api/v1/password-resets')).status, 202);
  t.like(await attempt('127.0.0.10', 'reset@example.com', '/api/v1/password-resets'), { status: 429, code: 'RATE_LIMITED' });
});

test('behind a trusted proxy, clients are told apart by X-Forwarded-For and HTTPS by X-Forwarded-Proto', async (t) => {
  const direct = await startTestCloud({ attemptsPerMinute: 1 });
  const proxied = await startTestCloud({ attemptsPerMinute: 1, trustProxy: 'loopback' });
  t.teardown(() => Promise.all([direct.close(), proxied.close()]));
  const email = freshEmail('proxied');
  for (const cloudOf of [direct, proxied]) await api(cloudOf.url, 'POST', '/api/v1/accounts', { email, password: 'correct horse battery' });
  const logIn = (cloudOf: TestCloud, client: string, password: string) =>
    postFrom('127.0.0.20', `${cloudOf.url}/api/v1/sessions`, { email, password }, { 'x-forwarded-for': client, 'x-forwarded-proto': 'https' });
  t.is((await logIn(proxied, '203.0.113.1', 'wrong horse')).status, 401);
  t.like(await logIn(proxied, '203.0.113.1', 'correct horse battery'), { status: 429 });
  const owner = await logIn(proxied, '203.0.113.2', 'correct horse battery');
  t.is(owner.status, 201);
  t.regex(owner.cookie ?? '', /ec_session=[^;]+;.*Secure/);
  // Without --trust-proxy the headers are anyone's to write, so they count for nothing.
  t.is((await logIn(direct, '203.0.113.1', 'wrong horse')).status, 401);
  t.like(await logIn(direct, '203.0.113.2', 'correct horse battery'), { status: 429 });
  t.notRegex(
    (await postFrom('127.0.0.21', `${direct.url}/api/v1/sessions`, { email, password: 'correct horse battery' }, { 'x-forwarded-proto': 'https' })).cookie ??
      '',
    /Secure/,
  );
});

test('without an SMTP server the reset mail is written to the outbox as an .eml file', async (t) => {
  const offline = await startTestCloud({ smtp: false });
  t.teardown(() => offline.close());
  const email = freshEmail('outbox');
  await api(offline.url, 'POST', '/api/v1/accounts', { email, password: 'correct horse' });
  t.is((await api(offline.url, 'POST', '/api/v1/password-resets', { email })).status, 202);
  const outbox = join(offline.dataDir, 'outbox');
  let files: string[] = [];
  for (let tries = 0; files.length === 0 && tries < 250; tries++) {
    files = (await readdir(outbox).catch(() => [])).filter((name) => name.endsWith('.eml') && !name.startsWith('.'));
    if (files.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  t.is(files.length, 1);
  const mail = await simpleParser(await readFile(join(outbox, files[0]!)));
  t.true(resetLinkIn(mail).link.startsWith(`${offline.url}/reset-password#token=ecr_`));
});

const weakSignUp = test.macro({
  exec: async (t, password: string, why: RegExp) => {
    const email = freshEmail('ada.lovelace');
    const { status, body } = await api(cloud.url, 'POST', '/api/v1/accounts', { email, password });
    t.is(status, 400);
    t.is(body.error.code, 'WEAK_PASSWORD');
    t.regex(body.error.message, why);
    t.regex(body.error.message, /three or four unrelated words/);
    t.is((await api(cloud.url, 'POST', '/api/v1/sessions', { email, password })).status, 401, 'no account was made');
  },
  title: (_provided, password) => `signing up with the weak password "${password}" is refused, saying why and what to pick instead`,
});
test(weakSignUp, '12345678', /among the ten most used passwords/);
test(weakSignUp, 'password', /among the ten most used passwords/);
test(weakSignUp, 'qwertyuiop', /among the hundred most used passwords/);
test(weakSignUp, 'lovelace2024', /strength [0-2] of 4/);

test('a reset to a weak password is refused, saying why, and the link still works after', async (t) => {
  const email = freshEmail('weak-reset');
  await signUpAndLogIn(email);
  const token = await mailedResetToken(t, email);
  t.like(await confirm(token, 'password1'), { status: 400, body: { error: { code: 'WEAK_PASSWORD' } } });
  const repeated = await confirm(token, 'aaaaaaaaaa');
  t.is(repeated.body.error.code, 'WEAK_PASSWORD');
  t.regex(repeated.body.error.message, /too easy to guess: it repeats a character/);
  t.is((await confirm(token, 'tundra kettle plum')).status, 204);
  t.is((await api(cloud.url, 'POST', '/api/v1/sessions', { email, password: 'tundra kettle plum' })).status, 201);
});

test('a password longer than bcrypt reads (72 bytes) is refused rather than silently cut', async (t) => {
  const { status, body } = await api(cloud.url, 'POST', '/api/v1/accounts', { email: freshEmail(), password: 'x'.repeat(73) });
  t.is(status, 400);
  t.regex(JSON.stringify(body), /72 bytes/);
});
