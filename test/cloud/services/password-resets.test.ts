/** The password-reset service without HTTP: a link only for an account, used once, a weak password leaving it usable, and every token of the account revoked. */
import test from 'ava';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { createMailer } from '../../../cloud/mailer.ts';
import { accountService } from '../../../cloud/services/accounts.ts';
import { passwordResetService } from '../../../cloud/services/password-resets.ts';
import { sessionService } from '../../../cloud/services/sessions.ts';
import { apiTokenService } from '../../../cloud/services/tokens.ts';
import { openStores } from '../../helpers/cloud-services.ts';
import { resetLinkIn } from '../../helpers/reset-link.ts';
import { tempFolder } from '../../helpers/temp.ts';
import { waitFor } from '../../helpers/wait.ts';

const PASSWORD = 'correct horse battery staple 42';
const NEW_PASSWORD = 'plum orbit lantern velvet 17';

async function setUp() {
  const stores = await openStores();
  const outboxDir = join(await tempFolder('ec-outbox'), 'outbox');
  const logger = pino({ level: 'silent' });
  const mailer = createMailer({ outboxDir, from: 'edgecourier <no-reply@localhost>', logger });
  const resets = passwordResetService({ ...stores, mailer, publicUrl: () => 'https://cloud.example', logger });
  const sessions = sessionService(stores);
  const user = await accountService(stores).signUp('ada@example.com', PASSWORD);
  const mails = async () => (await readdir(outboxDir).catch(() => [])).filter((name) => name.endsWith('.eml'));
  /** The token of the link in the first mail in the outbox, once it is there. */
  const mailedToken = async () => {
    const [name] = await waitFor('a mail in the outbox', async () => ((await mails()).length > 0 ? mails() : undefined));
    const { text = '' } = await simpleParser(await readFile(join(outboxDir, name!)));
    return resetLinkIn(text).token;
  };
  return { resets, sessions, apiTokens: apiTokenService(stores), user, mailedToken, mails };
}

test('a reset link is mailed for an account and nothing for an unknown address', async (t) => {
  const { resets, mailedToken, mails } = await setUp();
  resets.request('nobody@example.com');
  resets.request('ADA@example.com');
  t.regex(await mailedToken(), /^ecr_/);
  t.is((await mails()).length, 1);
});

test('a weak password leaves the link usable; a strong one sets the password, uses the link up and revokes every session and API token', async (t) => {
  const { resets, sessions, apiTokens, user, mailedToken } = await setUp();
  const session = await sessions.logIn('ada@example.com', PASSWORD);
  const { token: apiToken } = await apiTokens.create(user.id, 'laptop');
  resets.request('ada@example.com');
  const token = await mailedToken();
  t.like(await t.throwsAsync(resets.confirm(token, 'password123')), { code: 'WEAK_PASSWORD' });
  await resets.confirm(token, NEW_PASSWORD);
  t.is(sessions.identify(session.token), undefined);
  t.is(sessions.identify(apiToken), undefined);
  t.like(await t.throwsAsync(sessions.logIn('ada@example.com', PASSWORD)), { code: 'INVALID_CREDENTIALS' });
  t.truthy(await sessions.logIn('ada@example.com', NEW_PASSWORD));
  const used = { code: 'RESET_TOKEN_INVALID', message: 'this reset link is unknown, used already or expired; ask for a new one' };
  t.like(await t.throwsAsync(resets.confirm(token, 'another plum orbit lantern 18')), used);
  t.like(await t.throwsAsync(resets.confirm('ecr_unknown', NEW_PASSWORD)), used);
});
