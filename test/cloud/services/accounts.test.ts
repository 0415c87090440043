/** The account, session and API-token services without HTTP: one account per address, log-ins that tell nothing, how many API tokens an account holds, and sessions out of their reach. */
import test from 'ava';
import { accountService } from '../../../cloud/services/accounts.ts';
import { sessionService } from '../../../cloud/services/sessions.ts';
import { apiTokenService, MAX_API_TOKENS_PER_USER } from '../../../cloud/services/tokens.ts';
import { openStores } from '../../helpers/cloud-services.ts';

const PASSWORD = 'correct horse battery staple 42';

async function setUp() {
  const stores = await openStores();
  return {
    accounts: accountService({ users: stores.users }),
    sessions: sessionService({ users: stores.users, tokens: stores.tokens }),
    apiTokens: apiTokenService({ tokens: stores.tokens }),
  };
}

test('one account per address, whatever its case; a password easy to guess is refused', async (t) => {
  const { accounts } = await setUp();
  t.like(await accounts.signUp('Ada@Example.com', PASSWORD), { email: 'ada@example.com' });
  t.like(await t.throwsAsync(accounts.signUp('ada@example.COM', PASSWORD)), {
    code: 'EMAIL_TAKEN',
    message: 'an account with that email address exists; log in or reset its password',
  });
  t.like(await t.throwsAsync(accounts.signUp('bob@example.com', 'password123')), { code: 'WEAK_PASSWORD' });
});

test('a log-in with a wrong password and one with an unknown address get the same answer; a session names its caller until logged out', async (t) => {
  const { accounts, sessions } = await setUp();
  const user = await accounts.signUp('ada@example.com', PASSWORD);
  const wrong = { code: 'INVALID_CREDENTIALS', message: 'wrong email address or password' };
  t.like(await t.throwsAsync(sessions.logIn('ada@example.com', 'not the password')), wrong);
  t.like(await t.throwsAsync(sessions.logIn('nobody@example.com', PASSWORD)), wrong);
  const session = await sessions.logIn('ADA@example.com', PASSWORD);
  const caller = sessions.identify(session.token);
  t.like(caller, { user: { id: user.id }, token: { kind: 'session' } });
  t.is(sessions.identify(`${session.token}x`), undefined);
  await sessions.logOut(caller!);
  t.is(sessions.identify(session.token), undefined);
});

test('an account holds at most 100 API tokens, and revoking one makes room', async (t) => {
  const { apiTokens } = await setUp();
  for (let i = 0; i < MAX_API_TOKENS_PER_USER; i++) await apiTokens.create('usr_a', `t${i}`);
  t.like(await t.throwsAsync(apiTokens.create('usr_a', 'one more')), {
    code: 'QUOTA_EXCEEDED',
    message: 'an account holds at most 100 API tokens; revoke one first',
  });
  t.like(await apiTokens.create('usr_b', 'theirs'), { record: { userId: 'usr_b', kind: 'api' } });
  await apiTokens.revoke('usr_a', apiTokens.list('usr_a')[0]!.id);
  t.like(await apiTokens.create('usr_a', 'one more'), { record: { name: 'one more' } });
});

test("revoking reaches only the user's own API tokens: a session, or another user's token, is not found", async (t) => {
  const { accounts, sessions, apiTokens } = await setUp();
  const user = await accounts.signUp('ada@example.com', PASSWORD);
  const session = await sessions.logIn('ada@example.com', PASSWORD);
  const sessionId = sessions.identify(session.token)!.token.id;
  t.like(await t.throwsAsync(apiTokens.revoke(user.id, sessionId)), { code: 'NOT_FOUND', message: `no API token ${sessionId} of yours` });
  t.truthy(sessions.identify(session.token), 'the session lives on');
  const { record, token } = await apiTokens.create(user.id, 'laptop');
  t.like(await t.throwsAsync(apiTokens.revoke('usr_other', record.id)), { code: 'NOT_FOUND' });
  t.truthy(sessions.identify(token));
  await apiTokens.revoke(user.id, record.id);
  t.is(sessions.identify(token), undefined);
});
