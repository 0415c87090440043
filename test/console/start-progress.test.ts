/**
 * The console shows the step of a start as the cloud tells it: an app whose dependencies are downloading (the test's
 * registry holds the download) shows "installing dependencies" under Start, and Running once it is done.
 */
import test from 'ava';
import { screenshot, watchedPage } from '../helpers/browser.ts';
import { useConsoleCloud } from '../helpers/console-cloud.ts';
import { makeApp, signUpUser } from '../helpers/cloud-apps.ts';
import { api } from '../helpers/cloud.ts';
import { startLocalRegistry, type LocalRegistry } from '../helpers/local-registry.ts';
import { tempFolder } from '../helpers/temp.ts';

let registry: LocalRegistry;

test.before(async () => {
  registry = await startLocalRegistry({ 'slow-leaf': { files: { 'index.js': "module.exports = 'from slow-leaf';\n" } } });
  // The cloud's npm takes this registry, and a cache of its own so the tarball is asked for.
  process.env.npm_config_registry = registry.url;
  process.env.npm_config_cache = await tempFolder('ec-npm-cache');
});
test.after.always(() => registry?.close());

const cloud = useConsoleCloud(test);

test('Start shows "installing dependencies" while they download, then the app runs', async (t) => {
  const { email, token } = await signUpUser(cloud.url);
  const app = await makeApp(cloud.url, token, { leaf: { code: "import leaf from 'slow-leaf';\nexport default () => leaf;\n" } });
  const patched = await api(cloud.url, 'PATCH', `/api/v1/apps/${app.id}`, { packageJson: JSON.stringify({ dependencies: { 'slow-leaf': '1.0.0' } }) }, token);
  t.is(patched.status, 200);

  const { page, context, errors } = await watchedPage(cloud.browser);
  t.teardown(() => context.close());
  await cloud.logIn(page, email);
  await page.goto(`${cloud.url}/apps/${app.id}`);
  const hold = registry.holdTarballs();
  await page.getByRole('button', { name: 'Start' }).click();
  await hold.reached;
  const progress = page.getByRole('status');
  await progress.getByText(/Starting: installing dependencies… \d+ s/).waitFor();
  t.true(await page.getByRole('progressbar', { name: 'Starting' }).isVisible());
  t.true(await page.getByRole('button', { name: 'Start' }).isDisabled(), 'no second start while one goes on');
  await screenshot(page, 'console', 'app-starting');

  // Another tab, opened meanwhile, sees the start going on too, and its end.
  const other = await context.newPage();
  await other.goto(`${cloud.url}/apps/${app.id}`);
  await other
    .getByRole('status')
    .getByText(/Starting: installing dependencies/)
    .waitFor();

  hold.letGo();
  await page.getByLabel('Status: running').waitFor();
  await other.getByLabel('Status: running').waitFor();
  t.is(await page.getByRole('status').count(), 0, 'the progress goes once the app runs');
  t.deepEqual(errors, [], 'no console errors');
});
