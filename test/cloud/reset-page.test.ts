/** The mailed password-reset link, opened and used in real Chromium. */
import test from 'ava';
import { chromium, type Browser, type Page } from 'playwright-core';
import { api, freshEmail, startTestCloud, type TestCloud } from '../helpers/cloud.ts';

let cloud: TestCloud;
let browser: Browser;
test.before(async () => {
  cloud = await startTestCloud();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--headless=new'],
  });
});
test.after.always(async () => {
  await browser?.close();
  await cloud?.close();
});

/** A new account, a reset asked for, and a page open at the mailed link; console errors (CSP violations among them) are collected. */
async function openResetLink(email: string): Promise<{ page: Page; consoleErrors: string[] }> {
  await api(cloud.url, 'POST', '/api/v1/accounts', { email, password: 'old amber lantern' });
  await api(cloud.url, 'POST', '/api/v1/password-resets', { email });
  const link = /http:\/\/\S+\/reset-password\?token=\S+/.exec((await cloud.waitForMail(email)).text ?? '')?.[0];
  if (!link) throw new Error('no link in the mail');
  const page = await browser.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(link);
  return { page, consoleErrors };
}

test('a person opens the mailed link, sets a new password, and logs in with it', async (t) => {
  const email = freshEmail('browser');
  const { page, consoleErrors } = await openResetLink(email);
  t.teardown(() => page.close());
  t.is(await page.title(), 'Choose a new password · edgecourier');
  await page.getByLabel('New password', { exact: true }).fill('browser password');
  await page.getByLabel('The new password again').fill('browser password');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await page.getByRole('heading', { name: 'Your password is changed' }).waitFor();
  t.regex((await page.locator('main').textContent()) ?? '', /Log in with your new password/);
  t.false(page.url().includes('token='), 'the token is not left in the address bar');
  t.deepEqual(consoleErrors, []);
  t.is((await api(cloud.url, 'POST', '/api/v1/sessions', { email, password: 'browser password' })).status, 201);
  t.is((await api(cloud.url, 'POST', '/api/v1/sessions', { email, password: 'old amber lantern' })).status, 401);
});

test('the page says so when the two passwords differ, and lets the person try again', async (t) => {
  const email = freshEmail('browser-mismatch');
  const { page } = await openResetLink(email);
  t.teardown(() => page.close());
  await page.getByLabel('New password', { exact: true }).fill('browser password');
  await page.getByLabel('The new password again').fill('browser passw0rd');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  t.regex((await page.getByRole('alert').textContent()) ?? '', /The two passwords differ/);
  await page.getByLabel('New password', { exact: true }).fill('second try pw');
  await page.getByLabel('The new password again').fill('second try pw');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await page.getByRole('heading', { name: 'Your password is changed' }).waitFor();
  t.is((await api(cloud.url, 'POST', '/api/v1/sessions', { email, password: 'second try pw' })).status, 201);
});
