/**
 * The console's History page in real Chromium against a real cloud running functions in Docker: an app's recent
 * activations, a new one appearing live while the page is open, and the detail of one with its error, logs, parent
 * and nested calls. Driven by accessible names only, failing on any console error.
 */
import test from 'ava';
import { fitsWidth, screenshot, watchedPage } from '../helpers/browser.ts';
import { useConsoleCloud } from '../helpers/console-cloud.ts';
import { makeApp, sampleFunctions, signUpUser } from '../helpers/cloud-apps.ts';
import { api } from '../helpers/cloud.ts';

const cloud = useConsoleCloud(test);

/** A function's first run warms a container: slow on a busy machine. */
const SLOW = { timeout: 60_000 };

test('History lists the activations, shows a new one live, and opens one with its error, logs, parent and nested calls', async (t) => {
  const { email, token } = await signUpUser(cloud.url);
  const app = await makeApp(cloud.url, token, { greet: sampleFunctions.greet, upper: sampleFunctions.upper, fails: sampleFunctions.fails });
  const invoke = (fn: string, input: unknown) => api(cloud.url, 'POST', `/api/v1/apps/${app.id}/functions/${fn}/invoke`, { input }, token);
  t.is((await invoke('greet', { name: 'ada' })).status, 200);

  const { page, context, errors } = await watchedPage(cloud.browser);
  t.teardown(() => context.close());
  await cloud.logIn(page, email);
  await page.getByRole('link', { name: app.name }).click();
  await page.getByRole('link', { name: 'History' }).click();
  const list = page.getByRole('list', { name: 'Activations' });
  await list.getByRole('link', { name: /^greet at / }).waitFor();
  t.regex((await list.getByRole('listitem').filter({ hasText: 'upper' }).textContent()) ?? '', /call\s*ok/);

  // Run while the page is open: the failure appears without a reload.
  t.is((await invoke('fails', { why: 'no reason' })).status >= 400, true);
  const failed = list.getByRole('listitem').filter({ has: page.getByRole('link', { name: /^fails at / }) });
  await failed.waitFor(SLOW);
  t.regex((await failed.textContent()) ?? '', /test-invoke\s*FUNCTION_THREW/);
  await screenshot(page, 'console', 'history');

  await failed.getByRole('link').click();
  t.regex((await page.getByLabel('Error').textContent()) ?? '', /^FUNCTION_THREW: .*refused: no reason/);
  t.regex((await page.getByLabel('Logs').textContent()) ?? '', /error: about to fail/);
  await screenshot(page, 'console', 'activation');

  await page.getByRole('link', { name: 'History' }).first().click();
  await list.getByRole('link', { name: /^greet at / }).click();
  t.regex((await page.getByLabel('Logs').textContent()) ?? '', /log: greeting ada/);
  await page.getByRole('link', { name: 'nested call 1' }).click();
  await page.getByRole('heading', { name: /^upper / }).waitFor();
  await page.getByRole('link', { name: 'parent activation' }).click();
  await page.getByRole('heading', { name: /^greet / }).waitFor();

  await page.setViewportSize({ width: 390, height: 844 });
  t.true(await fitsWidth(page), 'an activation fits 390 px');
  await screenshot(page, 'console', 'activation');
  await page.goto(`${cloud.url}/apps/${app.id}/history`);
  await list.waitFor();
  t.true(await fitsWidth(page), 'History fits 390 px');
  await screenshot(page, 'console', 'history');
  t.deepEqual(errors, [], 'no console errors');
});
