/**
 * The API tokens page in real Chromium against a real cloud: reached from the header, a token made with a name is
 * shown once with a working copy button, works as `Authorization: Bearer` on the API, and once revoked (after a
 * confirmation) is refused. Driven by accessible names, failing on any console error; screenshots go to artifacts/console/.
 */
import test from 'ava';
import { fitsWidth, screenshot, watchedPage } from '../helpers/browser.ts';
import { signUpUser } from '../helpers/cloud-apps.ts';
import { api } from '../helpers/cloud.ts';
import { useConsoleCloud } from '../helpers/console-cloud.ts';

const cloud = useConsoleCloud(test);

test('a token made on the API tokens page is shown once, copies, works as a bearer token, and is refused once revoked', async (t) => {
  const { email } = await signUpUser(cloud.url);
  const { page, context, errors } = await watchedPage(cloud.browser);
  t.teardown(() => context.close());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: cloud.url });
  await cloud.logIn(page, email);
  await page.getByRole('banner').getByRole('link', { name: 'API tokens' }).click();
  await page.getByRole('heading', { name: 'API tokens', level: 1 }).waitFor();
  await page.getByText('No API tokens yet.').waitFor();

  await page.getByLabel('Token name').fill('laptop');
  await page.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByRole('region', { name: 'Your new token laptop' });
  await shown.waitFor();
  t.regex((await shown.textContent()) ?? '', /you will not see it again/);
  const token = await shown.getByLabel('New token').inputValue();
  t.regex(token, /^\w+_\S{20,}$/);
  await shown.getByRole('button', { name: 'Copy token' }).click();
  await shown.getByRole('status').filter({ hasText: 'Copied.' }).waitFor();
  t.is(await page.evaluate<string>('navigator.clipboard.readText()'), token, 'the clipboard holds the token');
  const list = page.getByRole('list', { name: 'API tokens' });
  t.regex((await list.getByRole('listitem').textContent()) ?? '', /laptop/);
  await screenshot(page, 'console', 'api-tokens');

  const me = await api(cloud.url, 'GET', '/api/v1/me', undefined, token);
  t.is(me.status, 200);
  t.is(me.body.user.email, email, 'the token acts as its user');

  await shown.getByRole('button', { name: 'Done' }).click();
  await shown.waitFor({ state: 'detached' });
  await page.reload();
  await list.getByRole('listitem').waitFor();
  t.false(((await page.locator('main').textContent()) ?? '').includes(token), 'the value is never shown again');

  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await page.getByRole('button', { name: 'Revoke laptop' }).click();
  t.regex(asked, /Revoke the API token laptop\?/);
  t.is(await list.getByRole('listitem').count(), 1, 'kept when the confirmation is dismissed');
  t.is((await api(cloud.url, 'GET', '/api/v1/me', undefined, token)).status, 200);

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Revoke laptop' }).click();
  await page.getByText('No API tokens yet.').waitFor();
  t.like(await api(cloud.url, 'GET', '/api/v1/me', undefined, token), { status: 401, body: { error: { code: 'UNAUTHORIZED' } } });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByLabel('Token name').fill('courier at home');
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.getByRole('region', { name: 'Your new token courier at home' }).waitFor();
  t.true(await fitsWidth(page), 'the page, with a token shown, fits 390 px');
  await screenshot(page, 'console', 'api-tokens');
  t.deepEqual(errors, [], 'no console errors');
});
