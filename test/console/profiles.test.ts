/**
 * The console's Profiles page in real Chromium against a real cloud running functions in Docker: each function's
 * versions with calls and p50/p95/p99 as a table and a uPlot chart (its own chunk), and the app's schedules. Driven by
 * accessible names only, failing on any console error.
 */
import test from 'ava';
import type { Page } from 'playwright-core';
import { fitsWidth, screenshot, watchedPage } from '../helpers/browser.ts';
import { useConsoleCloud } from '../helpers/console-cloud.ts';
import { makeApp, sampleFunctions, signUpUser } from '../helpers/cloud-apps.ts';
import { api } from '../helpers/cloud.ts';

const cloud = useConsoleCloud(test);

/** The table's rows as text, each cell's content. */
const rowsOf = (page: Page, name: string) =>
  page
    .getByRole('table', { name })
    .getByRole('row')
    .evaluateAll((rows) => rows.slice(1).map((row) => [...row.children].map((cell) => cell.textContent)));

test('Profiles charts and lists each function version’s percentiles and calls, and the schedules show', async (t) => {
  const { email, token } = await signUpUser(cloud.url);
  const app = await makeApp(cloud.url, token, { echo: sampleFunctions.echo });
  const base = `/api/v1/apps/${app.id}`;
  for (const n of [1, 2, 3]) t.is((await api(cloud.url, 'POST', `${base}/functions/echo/invoke`, { input: n }, token)).status, 200);
  // A new version of echo, called once: a second row.
  t.is((await api(cloud.url, 'PUT', `${base}/functions/echo`, { code: 'export default (input) => [input];\n' }, token)).status, 200);
  t.is((await api(cloud.url, 'POST', `${base}/functions/echo/invoke`, { input: 4 }, token)).status, 200);
  const appJson = JSON.parse(await (await fetch(`${cloud.url}${base}/files/app.json`, { headers: { authorization: `Bearer ${token}` } })).text());
  const put = await fetch(`${cloud.url}${base}/files/app.json`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
    body: JSON.stringify({ ...appJson, schedules: { hourly: { function: 'echo', every: '1h', input: 0 } } }),
  });
  t.true(put.ok, await put.text());

  const { page, context, errors } = await watchedPage(cloud.browser);
  t.teardown(() => context.close());
  await cloud.logIn(page, email);
  await page.getByRole('link', { name: app.name }).click();
  await page.getByRole('link', { name: 'Profiles' }).click();
  await page.getByRole('table', { name: 'Profile of echo' }).waitFor();
  const rows = await rowsOf(page, 'Profile of echo');
  t.deepEqual(
    rows.map((row) => row[1]),
    ['3', '1'],
    'oldest version first, with its calls',
  );
  for (const row of rows) for (const cell of row.slice(2)) t.regex(cell ?? '', /^\d+\.\d+$/, 'p50, p95 and p99 in ms');
  const chart = page.getByRole('img', { name: 'Durations and calls of echo by version' });
  await chart.locator('canvas').waitFor();
  t.regex((await chart.textContent()) ?? '', /p50 ms.*p95 ms.*p99 ms.*calls/, 'the chart has its legend');

  const schedules = page.getByRole('list', { name: 'Schedules' });
  t.regex((await schedules.textContent()) ?? '', /hourly runs echo every 1h.*not running: the app is stopped/);
  await screenshot(page, 'console', 'profiles');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await chart.locator('canvas').waitFor();
  t.true(await fitsWidth(page), 'Profiles fits 390 px');
  await screenshot(page, 'console', 'profiles');
  t.deepEqual(errors, [], 'no console errors');
});

test('Profiles plots each recent call’s duration against the time it began, with a summary and a table of the same calls', async (t) => {
  const { email, token } = await signUpUser(cloud.url);
  const app = await makeApp(cloud.url, token, { echo: sampleFunctions.echo, fails: sampleFunctions.fails });
  const base = `/api/v1/apps/${app.id}`;
  for (const n of [1, 2, 3]) t.is((await api(cloud.url, 'POST', `${base}/functions/echo/invoke`, { input: n }, token)).status, 200);
  t.is((await api(cloud.url, 'POST', `${base}/functions/fails/invoke`, { input: { why: 'testing' } }, token)).status, 502);

  const { page, context, errors } = await watchedPage(cloud.browser);
  t.teardown(() => context.close());
  await cloud.logIn(page, email);
  await page.goto(`${cloud.url}/apps/${app.id}/profiles`);
  const chart = page.getByRole('img', { name: 'Duration of the last calls of echo over time' });
  await chart.locator('canvas').waitFor();
  t.regex((await chart.textContent()) ?? '', /Began.*ok ms.*failed ms/, 'the chart has its legend');
  const card = page.getByRole('region', { name: 'echo' });
  t.regex((await card.textContent()) ?? '', /The last 3 calls, from .+ to .+: median \d+\.\d+ ms, slowest \d+\.\d+ ms at .+, 0 failed\./);
  const failing = page.getByRole('region', { name: 'fails' });
  await failing.getByRole('img', { name: 'Duration of the last calls of fails over time' }).locator('canvas').waitFor();
  t.regex((await failing.textContent()) ?? '', /The last call, at .+: median \d+\.\d+ ms, .*1 failed\./);

  await card.getByText('The calls as a table').click();
  const rows = await rowsOf(page, 'Recent calls of echo');
  t.is(rows.length, 3, 'one row a call');
  for (const row of rows) t.like(row, { 2: 'ok' });
  await screenshot(page, 'console', 'profiles-durations');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await chart.locator('canvas').waitFor();
  t.true(await fitsWidth(page), 'the duration chart fits 390 px');
  await screenshot(page, 'console', 'profiles-durations');
  t.deepEqual(errors, [], 'no console errors');
});
