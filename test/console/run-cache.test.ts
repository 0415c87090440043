/**
 * The console's Run page in real Chromium against a real cloud running functions in Docker: the answer's cache is
 * shown and sent back with one click (a cache hit), a precomputed result stands in for a call, and a precomputed field
 * that is not a JSON object is refused before anything is sent. Driven by accessible names only, failing on any console error.
 */
import test from 'ava';
import { fitsWidth, screenshot, watchedPage } from '../helpers/browser.ts';
import { useConsoleCloud } from '../helpers/console-cloud.ts';
import { makeApp, sampleFunctions, signUpUser } from '../helpers/cloud-apps.ts';

const cloud = useConsoleCloud(test);

/** A function's first run warms a container: slow on a busy machine. */
const SLOW = { timeout: 60_000 };

test('Run shows the cache, runs again with it as a cache hit, uses a precomputed result and refuses one that is not a JSON object', async (t) => {
  const { email, token } = await signUpUser(cloud.url);
  // greet calls upper, which is idempotent: its result is the answer's cache, keyed by the call's key.
  const app = await makeApp(cloud.url, token, { greet: sampleFunctions.greet, upper: sampleFunctions.upper });
  const { page, context, errors } = await watchedPage(cloud.browser);
  t.teardown(() => context.close());
  await cloud.logIn(page, email);
  await page.goto(`${cloud.url}/apps/${app.id}/run`);
  await page.getByLabel('Function').selectOption('greet');
  await page.getByLabel('Input').fill('{"name":"ada"}');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const cache = page.getByLabel('Cache');
  await cache.waitFor(SLOW);
  const entries = JSON.parse((await cache.textContent()) ?? '') as Record<string, unknown>;
  const [key] = Object.keys(entries);
  t.regex(key ?? '', /^upper@/);
  t.is(entries[key!], 'ADA');
  t.regex((await page.getByLabel('Stats').textContent()) ?? '', / 0 from the cache/);
  await screenshot(page, 'console', 'run-cache');

  await page.getByRole('button', { name: 'Run again with this cache' }).click();
  await page.getByLabel('Stats').filter({ hasText: ' 1 from the cache' }).waitFor(SLOW);
  t.deepEqual(JSON.parse((await page.getByLabel('Output').textContent()) ?? ''), { message: 'hello ADA' });

  // A precomputed result stands in for the call: the output shows the value given, not upper's.
  await page.getByLabel('Precomputed (JSON)').fill(JSON.stringify({ [key!]: 'GIVEN' }));
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByLabel('Stats').filter({ hasText: ' 1 precomputed' }).waitFor(SLOW);
  t.deepEqual(JSON.parse((await page.getByLabel('Output').textContent()) ?? ''), { message: 'hello GIVEN' });

  for (const [text, message] of [
    ['{"upper@x": ', /^Precomputed is not valid JSON/],
    ['["ADA"]', /^Precomputed must be a JSON object/],
  ] as const) {
    await page.getByLabel('Precomputed (JSON)').fill(text);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    t.regex((await page.getByRole('alert').textContent()) ?? '', message);
    t.false(await page.getByLabel('Output').isVisible(), 'nothing was run');
  }

  await page.setViewportSize({ width: 390, height: 844 });
  t.true(await fitsWidth(page), 'Run fits 390 px');
  await screenshot(page, 'console', 'run-cache-narrow');
  t.deepEqual(errors, [], 'no console errors');
});
