/**
 * The console's Sharing page in real Chromium against a real cloud running functions in Docker: the owner's refusals
 * (an address without an account, WRITE to everyone) shown as the cloud gives them, a RUN grant that makes the app
 * appear to the grantee, read-only, and a revoke that makes it disappear. Driven by accessible names only, failing on
 * any console error.
 */
import test from 'ava';
import { fitsWidth, screenshot, watchedPage } from '../helpers/browser.ts';
import { useConsoleCloud } from '../helpers/console-cloud.ts';
import { makeApp, sampleFunctions, signUpUser } from '../helpers/cloud-apps.ts';
import { api, freshEmail } from '../helpers/cloud.ts';

const cloud = useConsoleCloud(test);

/** Console errors but the refusals the test asked for (the browser logs each 4xx answer). */
const unexpected = (errors: string[]) => errors.filter((line) => !/status of 4\d\d/.test(line));

test('Sharing grants RUN to a second user, who sees the app read-only, and revokes it, after showing the refusals', async (t) => {
  const owner = await signUpUser(cloud.url);
  const guest = await signUpUser(cloud.url);
  const app = await makeApp(cloud.url, owner.token, { echo: sampleFunctions.echo });

  const mine = await watchedPage(cloud.browser);
  const theirs = await watchedPage(cloud.browser);
  t.teardown(() => Promise.all([mine.context.close(), theirs.context.close()]));
  const { page } = mine;
  await cloud.logIn(page, owner.email);
  await page.goto(`${cloud.url}/apps/${app.id}`);
  await page.getByRole('link', { name: 'Sharing' }).click();
  await page.getByText('Shared with nobody').waitFor();
  const form = page.getByRole('form', { name: 'Share' });

  const nobody = freshEmail('nobody');
  await form.getByLabel('Email').fill(nobody);
  await form.getByLabel('Access').selectOption('RUN');
  await form.getByRole('button', { name: 'Share' }).click();
  t.regex((await form.getByRole('alert').textContent()) ?? '', new RegExp(`^USER_NOT_FOUND: no account has the address ${nobody}`));
  t.is(await form.getByLabel('Email').getAttribute('aria-invalid'), 'true');

  await form.getByLabel('Everyone').check();
  await form.getByLabel('Access').selectOption('WRITE');
  await form.getByRole('button', { name: 'Share' }).click();
  await form.getByRole('alert').filter({ hasText: 'everyone may be granted READ or RUN only' }).waitFor();
  t.deepEqual((await api(cloud.url, 'GET', `/api/v1/apps/${app.id}/grants`, undefined, owner.token)).body.grants, []);

  await form.getByLabel('An account').check();
  await form.getByLabel('Email').fill(guest.email);
  await form.getByLabel('Access').selectOption('RUN');
  await form.getByRole('button', { name: 'Share' }).click();
  const grants = page.getByRole('list', { name: 'Grants' });
  await grants.getByRole('listitem').filter({ hasText: guest.email }).filter({ hasText: 'RUN' }).waitFor();
  t.is(await form.getByRole('alert').count(), 0);
  await screenshot(page, 'console', 'sharing');

  // The grantee sees the app among theirs, with RUN, and cannot change it.
  await cloud.logIn(theirs.page, guest.email);
  const shared = theirs.page.getByRole('list', { name: 'Your apps' }).getByRole('listitem').filter({ hasText: app.name });
  t.regex((await shared.textContent()) ?? '', /shared with you: RUN/);
  await shared.getByRole('link', { name: app.name }).click();
  await theirs.page.getByLabel('Status: stopped').waitFor();
  t.is(await theirs.page.getByRole('button', { name: 'Start' }).count(), 0, 'RUN does not start it');
  t.is(await theirs.page.getByRole('button', { name: 'Delete' }).count(), 0);
  await theirs.page.getByRole('link', { name: 'Settings' }).click();
  t.regex((await theirs.page.getByRole('note').textContent()) ?? '', /^FORBIDDEN: you have RUN access to this app; WRITE is needed/);
  t.false(await theirs.page.getByRole('button', { name: 'Save echo' }).isEnabled());
  t.false(await theirs.page.getByRole('form', { name: 'App details' }).getByLabel('Name').isEditable());
  await theirs.page.getByRole('link', { name: 'Sharing' }).click();
  t.regex((await theirs.page.getByRole('note').textContent()) ?? '', /RUN access: only those with FULL_CONTROL see and change whom it is shared with/);
  t.is(await theirs.page.getByRole('button', { name: 'Share' }).count(), 0);
  await screenshot(theirs.page, 'console', 'sharing-grantee');

  await grants.getByRole('button', { name: `Revoke ${guest.email}` }).click();
  await page.getByText('Shared with nobody').waitFor();
  await theirs.page.goto(`${cloud.url}/`);
  await theirs.page.getByText('No apps yet').waitFor();
  await theirs.page.goto(`${cloud.url}/apps/${app.id}/sharing`);
  t.regex((await theirs.page.getByRole('alert').textContent()) ?? '', /^APP_NOT_FOUND: /);

  await page.setViewportSize({ width: 390, height: 844 });
  t.true(await fitsWidth(page), 'Sharing fits 390 px');
  await screenshot(page, 'console', 'sharing');
  t.deepEqual(unexpected(mine.errors), [], 'no console errors on the owner’s pages');
  t.deepEqual(unexpected(theirs.errors), [], 'no console errors on the grantee’s pages');
});
