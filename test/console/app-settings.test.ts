/**
 * The console's Settings page in real Chromium against a real cloud running functions in Docker: renaming an app (the
 * new name in the list of apps), and a function's settings, the cloud's refusal shown beside the field it is about,
 * then a valid value saved. Driven by accessible names only, failing on any console error.
 */
import test from 'ava';
import { fitsWidth, screenshot, watchedPage } from '../helpers/browser.ts';
import { useConsoleCloud } from '../helpers/console-cloud.ts';
import { makeApp, sampleFunctions, signUpUser } from '../helpers/cloud-apps.ts';
import { api } from '../helpers/cloud.ts';

const cloud = useConsoleCloud(test);

test('Settings renames the app and saves a function’s settings, showing the server’s refusals beside their fields', async (t) => {
  const { email, token } = await signUpUser(cloud.url);
  const app = await makeApp(cloud.url, token, { echo: sampleFunctions.echo });
  const read = async () => (await api(cloud.url, 'GET', `/api/v1/apps/${app.id}`, undefined, token)).body;
  const renamed = `renamed-${app.id.slice(-6)}`.toLowerCase();

  const { page, context, errors } = await watchedPage(cloud.browser);
  t.teardown(() => context.close());
  await cloud.logIn(page, email);
  await page.getByRole('link', { name: app.name }).click();
  await page.getByRole('link', { name: 'Settings' }).click();
  const details = page.getByRole('form', { name: 'App details' });

  // A name the cloud refuses: its message beside the field, and nothing changed.
  await details.getByLabel('Name').fill('not a name!');
  await details.getByRole('button', { name: 'Save' }).click();
  t.regex((await details.getByRole('alert').textContent()) ?? '', /^INVALID_INPUT: body: name: an app name starts with a letter or digit/);
  t.is(await details.getByLabel('Name').getAttribute('aria-invalid'), 'true');
  t.is((await read()).name, app.name);

  await details.getByLabel('Name').fill(renamed);
  await details.getByLabel('Description').fill('echoes what it is sent');
  await details.getByRole('button', { name: 'Save' }).click();
  await details.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  await page.getByRole('heading', { name: renamed }).waitFor();
  t.like(await read(), { name: renamed, description: 'echoes what it is sent' });

  // Not a number: the cloud's words beside Timeout, not the operator's default put in its place.
  const echo = page.getByRole('form', { name: 'Settings of echo' });
  await echo.getByLabel('Timeout (ms)').fill('soon');
  await echo.getByRole('button', { name: 'Save echo' }).click();
  t.regex((await echo.getByRole('alert').textContent()) ?? '', /^INVALID_INPUT: body: timeoutMs: /);
  t.is(await echo.getByLabel('Timeout (ms)').getAttribute('aria-invalid'), 'true');
  t.like((await read()).functions[0], { timeoutMs: 5000 });

  // A timeout over the operator's maximum: the cloud's words beside Timeout, the function unchanged.
  await echo.getByLabel('Timeout (ms)').fill('999999');
  await echo.getByRole('button', { name: 'Save echo' }).click();
  const refusal = echo.getByRole('alert');
  t.is(await refusal.textContent(), "INVALID_APP: functions.echo.timeoutMs is 999999 ms, over the operator's maximum of 60000 ms");
  t.is(await echo.getByLabel('Timeout (ms)').getAttribute('aria-invalid'), 'true');
  t.like((await read()).functions[0], { timeoutMs: 5000, idempotent: false });
  await screenshot(page, 'console', 'settings-refused');

  await echo.getByLabel('Timeout (ms)').fill('20000');
  await echo.getByLabel('Memory (MB)').fill('256');
  await echo.getByLabel('Idempotent').check();
  await echo.getByRole('button', { name: 'Save echo' }).click();
  await echo.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  t.is(await refusal.count(), 0, 'the refusal is gone once the value is accepted');
  t.like((await read()).functions[0], { name: 'echo', timeoutMs: 20000, memoryMb: 256, idempotent: true, public: false });
  const fn = (await api(cloud.url, 'GET', `/api/v1/apps/${app.id}/functions/echo`, undefined, token)).body;
  t.is(fn.code, sampleFunctions.echo.code, 'its code is kept');
  await screenshot(page, 'console', 'settings');

  // The list of apps shows the new name.
  await page.getByRole('link', { name: 'Apps' }).first().click();
  await page.getByRole('list', { name: 'Your apps' }).getByRole('link', { name: renamed }).waitFor();

  await page.goto(`${cloud.url}/apps/${app.id}/settings`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('form', { name: 'Settings of echo' }).waitFor();
  t.true(await fitsWidth(page), 'Settings fits 390 px');
  await screenshot(page, 'console', 'settings');
  t.deepEqual(
    errors.filter((line) => !/status of 4\d\d/.test(line)),
    [],
    'no console errors but the refusals asked for',
  );
});

test('a function’s settings saved while its code and another setting are saved elsewhere keep both', async (t) => {
  const { email, token } = await signUpUser(cloud.url);
  const app = await makeApp(cloud.url, token, { echo: sampleFunctions.echo });
  const path = `/api/v1/apps/${app.id}/functions/echo`;
  const edited = 'export default (input) => ({ edited: input });\n';
  const { page, context, errors } = await watchedPage(cloud.browser);
  t.teardown(() => context.close());
  await cloud.logIn(page, email);
  await page.goto(`${cloud.url}/apps/${app.id}/settings`);
  // The settings' save is held until the code and the memory are saved in another tab (here through the API) after this page read them.
  await page.route(`**${path}`, async (route) => {
    if (route.request().method() === 'GET') return route.continue();
    const saved = await api(cloud.url, 'PUT', path, { code: edited, timeoutMs: 5000, memoryMb: 64 }, token);
    t.is(saved.status, 200, saved.text);
    await route.continue();
  });
  const echo = page.getByRole('form', { name: 'Settings of echo' });
  await echo.getByLabel('Idempotent').check();
  await echo.getByRole('button', { name: 'Save echo' }).click();
  await echo.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  t.like((await api(cloud.url, 'GET', path, undefined, token)).body, { code: edited, idempotent: true, timeoutMs: 5000, memoryMb: 64 });
  t.deepEqual(errors, [], 'no console errors');
});

test('Code adds a package.json to an app that has none, ready to save, and opens it again', async (t) => {
  const { email, token } = await signUpUser(cloud.url);
  const app = await makeApp(cloud.url, token, { echo: sampleFunctions.echo });
  const { page, context, errors } = await watchedPage(cloud.browser);
  t.teardown(() => context.close());
  await cloud.logIn(page, email);
  await page.goto(`${cloud.url}/apps/${app.id}/code`);
  await page.getByRole('button', { name: 'functions/echo.js' }).waitFor();
  t.is(await page.getByRole('button', { name: 'package.json' }).count(), 0, 'the app has none yet');

  await page.getByLabel('New file path').fill('package.json');
  await page.getByRole('button', { name: 'Add file' }).click();
  await page.getByRole('textbox', { name: 'Code of package.json' }).getByText('"dependencies"').waitFor();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved package.json.' }).waitFor();
  const stored = (await api(cloud.url, 'GET', `/api/v1/apps/${app.id}`, undefined, token)).body.packageJson;
  t.deepEqual(JSON.parse(stored), { dependencies: {} });

  await page.reload();
  await page.getByRole('button', { name: 'package.json' }).click();
  await page.getByRole('textbox', { name: 'Code of package.json' }).getByText('"dependencies"').waitFor();
  t.deepEqual(errors, [], 'no console errors');
});

test('a folder app’s Settings say why they cannot be changed here, and offer nothing to save', async (t) => {
  const { email } = await signUpUser(cloud.url);
  const files = [
    { path: 'app.json', bytes: Buffer.from(JSON.stringify({ endpoints: [{ method: 'GET', path: '/hi', function: 'hi' }] })) },
    { path: 'functions/hi.js', bytes: Buffer.from("export default () => 'hi';\n") },
  ];
  const ownerId = cloud.folderApps.accountOf(email);
  if (!ownerId) throw new Error(`no account for ${email}`);
  const { app } = await cloud.folderApps.publish(ownerId, 'synced', files);
  const { page, context, errors } = await watchedPage(cloud.browser);
  t.teardown(() => context.close());
  await cloud.logIn(page, email);
  await page.goto(`${cloud.url}/apps/${app.id}/settings`);
  t.regex((await page.getByRole('note').textContent()) ?? '', /^APP_FROM_FOLDER: this app comes from a synced folder, which is its source/);
  t.false(await page.getByRole('form', { name: 'App details' }).getByRole('button', { name: 'Save' }).isEnabled());
  t.false(await page.getByRole('form', { name: 'Settings of hi' }).getByLabel('Timeout (ms)').isEditable());
  await screenshot(page, 'console', 'settings-folder-app');
  t.deepEqual(errors, [], 'no console errors');
});
