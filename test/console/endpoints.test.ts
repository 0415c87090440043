/**
 * The console's Endpoints page in real Chromium against a real cloud running functions in Docker: an endpoint edited in
 * place (its new path answers over fetch, the old one is gone), a refusal from the server shown, and a Delete after a
 * dismissed and an accepted confirmation. Driven by accessible names only, failing on any console error.
 */
import test from 'ava';
import { fitsWidth, screenshot, watchedPage } from '../helpers/browser.ts';
import { useConsoleCloud } from '../helpers/console-cloud.ts';
import { makeApp, sampleFunctions, signUpUser } from '../helpers/cloud-apps.ts';

const cloud = useConsoleCloud(test);

/** Starting an app warms a container: slow on a busy machine. */
const SLOW = { timeout: 60_000 };

const post = (url: string, input: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) });

test('an endpoint is edited in place, a refusal is shown, and it is deleted after a confirmation', async (t) => {
  const { email, token } = await signUpUser(cloud.url);
  const app = await makeApp(cloud.url, token, { echo: sampleFunctions.echo, upper: sampleFunctions.upper }, [
    { method: 'POST', path: '/old', function: 'echo', public: true },
    { method: 'POST', path: '/taken', function: 'echo', public: true },
  ]);
  const { page, context, errors } = await watchedPage(cloud.browser);
  t.teardown(() => context.close());
  await cloud.logIn(page, email);
  await page.goto(`${cloud.url}/apps/${app.id}/endpoints`);
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByLabel('Status: running').waitFor(SLOW);
  const oldUrl = (await page.getByLabel('URL of POST /old').textContent()) ?? '';
  t.is((await post(oldUrl, { a: 1 })).status, 200);

  // A path another endpoint holds: the server's refusal is shown in the form, which stays open.
  await page.getByRole('button', { name: 'Edit POST /old' }).click();
  const form = page.getByRole('form', { name: 'Edit POST /old' });
  await form.getByLabel('Path').fill('/taken');
  await form.getByRole('button', { name: 'Save' }).click();
  t.regex((await form.getByRole('alert').textContent()) ?? '', /^ENDPOINT_TAKEN: /);
  await screenshot(page, 'console', 'endpoints-refused');

  await form.getByLabel('Path').fill('/new');
  await form.getByLabel('Function').selectOption('upper');
  await form.getByRole('button', { name: 'Save' }).click();
  const newUrl = (await page.getByLabel('URL of POST /new').textContent(SLOW)) ?? '';
  t.regex((await page.getByRole('list', { name: 'Endpoints' }).textContent()) ?? '', /POST \/new\s*→ upper/);
  const answered = await post(newUrl, { text: 'ada' });
  t.is(answered.status, 200);
  t.like(await answered.json(), { output: 'ADA' });
  t.is((await post(oldUrl, { a: 1 })).status, 404, 'the old path is gone');

  page.once('dialog', (dialog) => void dialog.dismiss());
  await page.getByRole('button', { name: 'Delete POST /new' }).click();
  t.is((await post(newUrl, { text: 'ada' })).status, 200, 'a dismissed confirmation deletes nothing');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Delete POST /new' }).click();
  await page.getByLabel('URL of POST /new').waitFor({ state: 'detached', ...SLOW });
  t.is((await post(newUrl, { text: 'ada' })).status, 404, 'a deleted endpoint answers 404');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('button', { name: 'Edit POST /taken' }).click();
  t.true(await fitsWidth(page), 'Endpoints with an edit form fit 390 px');
  await screenshot(page, 'console', 'endpoints-edit');
  t.deepEqual(
    errors,
    ['console: Failed to load resource: the server responded with a status of 409 (Conflict)'],
    'no console errors but the refusal asked for',
  );
});
