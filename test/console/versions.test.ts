/**
 * The console's Versions page in real Chromium against a real cloud running functions in Docker: the list with tags,
 * authors, messages and the active one; Roll back makes an older version serve; Freeze and Unfreeze; and the server's
 * refusal shown when a version went away meanwhile. Driven by accessible names only, failing on any console error.
 */
import test from 'ava';
import { fitsWidth, screenshot, watchedPage } from '../helpers/browser.ts';
import { useConsoleCloud } from '../helpers/console-cloud.ts';
import { deployFiles, signUpUser } from '../helpers/cloud-apps.ts';
import { api } from '../helpers/cloud.ts';

const cloud = useConsoleCloud(test);

const saying = (word: string) => ({ 'functions/say.js': `export default () => '${word}';\n` });

test('Versions lists them, rolls back to an older one, freezes and unfreezes, and shows the server refusing', async (t) => {
  const { email, token } = await signUpUser(cloud.url);
  t.is((await deployFiles(cloud.url, token, 'speaker', saying('one'), { tag: '1.0.0', message: 'the first words' })).status, 201);
  await deployFiles(cloud.url, token, 'speaker', saying('two'), { tag: '2.0.0' });
  const { body: app } = await deployFiles(cloud.url, token, 'speaker', saying('three'), { message: 'untagged' });
  const said = async () => (await api(cloud.url, 'POST', `/api/v1/apps/${app.id}/functions/say/invoke`, { input: null }, token)).body.output;
  const listed = async () => (await api(cloud.url, 'GET', `/api/v1/apps/${app.id}/versions`, undefined, token)).body.versions as any[];
  t.is(await said(), 'three');
  const third = (await listed())[0];

  const { page, context, errors } = await watchedPage(cloud.browser);
  t.teardown(() => context.close());
  await cloud.logIn(page, email);
  await page.goto(`${cloud.url}/apps/${app.id}/versions`);
  const list = page.getByRole('list', { name: 'Versions' });
  const item = (name: string) => list.getByRole('listitem').filter({ has: page.getByRole('button', { name: `Roll back to ${name}` }) });
  await list.waitFor();
  t.is(await list.getByRole('listitem').count(), 3);
  t.regex((await item('1.0.0').textContent()) ?? '', new RegExp(`1\\.0\\.0\\s*[0-9a-f]{12}.*${email}.*the first words`));
  t.regex((await item(third.id.slice(0, 12)).textContent()) ?? '', /untagged.*active/);
  t.false(await page.getByRole('button', { name: `Roll back to ${third.id.slice(0, 12)}` }).isEnabled(), 'the active one cannot be rolled back to');
  await screenshot(page, 'console', 'versions');

  await page.getByRole('button', { name: 'Roll back to 1.0.0' }).click();
  await item('1.0.0').getByText('active').waitFor();
  t.is(await said(), 'one', 'the rolled-back version serves');
  t.false(await page.getByRole('button', { name: 'Roll back to 1.0.0' }).isEnabled());

  await page.getByRole('button', { name: 'Freeze 2.0.0', exact: true }).click();
  await page.getByRole('button', { name: 'Unfreeze 2.0.0', exact: true }).waitFor();
  t.true((await listed()).find((v) => v.tag === '2.0.0').frozen);
  await page.getByRole('button', { name: 'Unfreeze 2.0.0', exact: true }).click();
  await page.getByRole('button', { name: 'Freeze 2.0.0', exact: true }).waitFor();
  t.false((await listed()).find((v) => v.tag === '2.0.0').frozen);

  // Removed elsewhere after the page listed it: the cloud's refusal is shown, and the list catches up.
  t.is((await api(cloud.url, 'DELETE', `/api/v1/apps/${app.id}/versions/${third.id}`, undefined, token)).status, 204);
  const before = errors.length;
  await page.getByRole('button', { name: `Roll back to ${third.id.slice(0, 12)}` }).click();
  t.regex((await page.getByRole('alert').textContent()) ?? '', /^VERSION_NOT_FOUND: /);
  await page.getByRole('button', { name: `Roll back to ${third.id.slice(0, 12)}` }).waitFor({ state: 'detached' });
  t.deepEqual(
    errors.splice(before).filter((line) => !/status of 404/.test(line)),
    [],
  );
  t.is(await said(), 'one');

  await page.setViewportSize({ width: 390, height: 844 });
  t.true(await fitsWidth(page), 'Versions fits 390 px');
  await screenshot(page, 'console', 'versions');
  t.deepEqual(errors, [], 'no console errors');
});
