/**
 * The forgot-password flow in real Chromium: a reset asked for on the console's page, the mail sent over real SMTP to a
 * loopback server, its link opening the console's reset page, refusals shown (a weak password, two that differ, a used
 * link), and the new password working while the old one does not. Failing on any unexpected console error; screenshots
 * go to artifacts/console/.
 */
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { fitsWidth, launchChromium, screenshot, watchedPage } from '../helpers/browser.ts';
import { api, freshEmail, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { resetLinkIn } from '../helpers/reset-link.ts';

let cloud: TestCloud;
let browser: Browser;
test.before(async () => {
  [cloud, browser] = await Promise.all([startTestCloud(), launchChromium()]);
});
test.after.always(async () => {
  await browser?.close();
  await cloud?.close();
});

const OLD_PASSWORD = 'old amber lantern';
const NEW_PASSWORD = 'new cobalt meadow';

/** Asks for a reset on the console's forgot-password page, reached from the log-in page; resolves with the mailed link. */
async function askForReset(page: Page, email: string): Promise<string> {
  await page.goto(cloud.url + '/login');
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await page.getByRole('status').filter({ hasText: 'If an account has that address, a mail with a reset link is on its way' }).waitFor();
  return resetLinkIn(await cloud.waitForMail(email)).link;
}

async function choose(page: Page, password: string, again = password): Promise<void> {
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('New password again').fill(again);
  await page.getByRole('button', { name: 'Set new password' }).click();
}

async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

const alertText = async (page: Page) => (await page.getByRole('alert').textContent()) ?? '';

test("a reset asked for in the console mails a link to the console's reset page; the new password works and the old does not", async (t) => {
  const email = freshEmail('console-reset');
  t.is((await api(cloud.url, 'POST', '/api/v1/accounts', { email, password: OLD_PASSWORD })).status, 201);
  const { page, context, errors } = await watchedPage(browser);
  t.teardown(() => context.close());

  const link = await askForReset(page, email);
  await screenshot(page, 'console', 'forgot-password');
  t.true(link.startsWith(`${cloud.url}/reset-password#token=`), link);
  await page.goto(link);
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  t.is(await page.title(), 'Choose a new password · edgecourier');
  t.regex((await page.getByText('8 to 72 characters').textContent()) ?? '', /three or four unrelated words/, 'the rule is said before typing');
  await screenshot(page, 'console', 'reset-password');

  await choose(page, NEW_PASSWORD, 'new cobalt meadows');
  t.regex(await alertText(page), /The two passwords differ/);
  const before = errors.length;
  await choose(page, 'aaaaaaaaaa');
  t.regex(await alertText(page), /^WEAK_PASSWORD: this password is too easy to guess: it repeats a character/);
  t.deepEqual(
    errors.splice(before).filter((line) => !/status of 400/.test(line)),
    [],
    'only the refusal',
  );

  await choose(page, NEW_PASSWORD);
  await page.getByRole('heading', { name: 'Your password is changed' }).waitFor();
  t.regex((await page.locator('main').textContent()) ?? '', /Every session and API token from before the change is revoked/);
  t.false(page.url().includes('token'), 'the spent token is not left in the address bar');
  await screenshot(page, 'console', 'password-changed');

  await page.getByRole('link', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await logIn(page, email, OLD_PASSWORD);
  t.regex(await alertText(page), /^INVALID_CREDENTIALS: /, 'the old password is refused');
  errors.splice(before);
  await logIn(page, email, NEW_PASSWORD);
  await page.getByRole('heading', { name: 'Apps' }).waitFor();
  t.is(await page.locator('header .email').textContent(), email);
  t.deepEqual(errors, [], 'no console errors');
});

test('a used link, and one cut short, say so and lead to a new one; the pages fit 390 px', async (t) => {
  const email = freshEmail('console-reset-used');
  await api(cloud.url, 'POST', '/api/v1/accounts', { email, password: OLD_PASSWORD });
  const { page, context, errors } = await watchedPage(browser, { width: 390, height: 844 });
  t.teardown(() => context.close());
  const link = await askForReset(page, email);
  t.true(await fitsWidth(page), 'the forgot-password page fits 390 px');
  await screenshot(page, 'console', 'forgot-password');
  t.is((await api(cloud.url, 'POST', '/api/v1/password-resets/confirm', { token: resetLinkIn(link).token, password: NEW_PASSWORD })).status, 204);

  await page.goto(link);
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  t.true(await fitsWidth(page), 'the reset page fits 390 px');
  await screenshot(page, 'console', 'reset-password');
  await choose(page, 'another quiet harbour');
  t.regex(await alertText(page), /^RESET_TOKEN_INVALID: this reset link is unknown, used already or expired/);
  t.deepEqual(
    errors.filter((line) => !/status of 400/.test(line)),
    [],
  );
  await page.getByRole('link', { name: 'Ask for a new reset link' }).click();
  await page.getByRole('heading', { name: 'Reset your password' }).waitFor();

  await page.goto(cloud.url + '/reset-password');
  await page.getByRole('heading', { name: 'This link is incomplete' }).waitFor();
  await page.getByRole('link', { name: 'Ask for a new reset link' }).waitFor();
  t.is((await api(cloud.url, 'POST', '/api/v1/sessions', { email, password: NEW_PASSWORD })).status, 201, 'the first use stands');
});
