/**
 * The web console's main flow in real Chromium, against a real cloud running functions in Docker: sign up, make an
 * app, write a function, start, run, edit, run again, add an endpoint and call it, log out; a second user sees none
 * of it. Driven by accessible names only, failing on any console error; screenshots of each page go to
 * artifacts/console/.
 */
import test from 'ava';
import type { Page } from 'playwright-core';
import { freshEmail } from '../helpers/cloud.ts';
import { fitsWidth, screenshot, watchedPage } from '../helpers/browser.ts';
import { useConsoleCloud } from '../helpers/console-cloud.ts';

const cloud = useConsoleCloud(test);

const PASSWORD = 'correct horse battery staple';
/** A start installs nothing here but warms a container: slow on a busy machine, so waits on it are generous. */
const SLOW = { timeout: 60_000 };

async function signUp(page: Page, email: string): Promise<void> {
  await page.goto(cloud.url + '/');
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Apps' }).waitFor();
}

/** Replaces the text of the open file's editor and saves it. */
async function writeAndSave(page: Page, path: string, code: string): Promise<void> {
  const editor = page.getByRole('textbox', { name: `Code of ${path}` });
  await editor.fill(code);
  await page.getByRole('button', { name: 'Save' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Saved ${path}.` })
    .waitFor();
}

/** Runs the function on the Run page with `input` and resolves with the Output shown. */
async function run(page: Page, input: string): Promise<unknown> {
  await page.getByLabel('Input').fill(input);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const output = page.getByLabel('Output');
  await output.waitFor(SLOW);
  return JSON.parse((await output.textContent()) ?? '');
}

test('a new user signs up, writes, starts, runs and edits a function, adds an endpoint, and logs out; a second user sees none of it', async (t) => {
  const { page, context, errors } = await watchedPage(cloud.browser);
  t.teardown(() => context.close());
  await signUp(page, freshEmail('console'));
  await screenshot(page, 'console', 'apps-empty');

  await page.getByRole('button', { name: 'New app' }).click();
  await page.getByLabel('Name').fill('greeter');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name: 'greeter' }).waitFor();
  const appPath = new URL(page.url()).pathname.replace(/\/code$/, '');
  t.regex(appPath, /^\/apps\/app_/);

  await page.getByLabel('New file path').fill('functions/greet.js');
  await page.getByRole('button', { name: 'Add file' }).click();
  await writeAndSave(page, 'functions/greet.js', "export default (input) => ({ message: 'hello ' + input.name });\n");
  await screenshot(page, 'console', 'code');

  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByLabel('Status: running').waitFor(SLOW);
  t.true(await page.getByRole('button', { name: 'Stop' }).isEnabled());

  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('heading', { name: 'Functions' }).waitFor();
  await screenshot(page, 'console', 'overview');
  await page.getByRole('link', { name: 'Run' }).click();
  t.deepEqual(await run(page, '{"name":"ada"}'), { message: 'hello ada' });
  await screenshot(page, 'console', 'run');

  await page.getByRole('link', { name: 'Code' }).click();
  await page.getByRole('button', { name: 'functions/greet.js' }).click();
  await writeAndSave(
    page,
    'functions/greet.js',
    "export default (input) => {\n  console.log('greeting ' + input.name);\n  return { message: 'hi ' + input.name };\n};\n",
  );
  // The server's validation message is shown; the refused request is the only error the browser reports.
  const before = errors.length;
  await page.getByRole('button', { name: 'app.json' }).click();
  await page.getByRole('textbox', { name: 'Code of app.json' }).fill('{ "functions": { "greet": { "timeoutMs": 90000 } } }\n');
  await page.getByRole('button', { name: 'Save' }).click();
  t.regex((await page.getByRole('alert').textContent()) ?? '', /^INVALID_APP: .*90000 ms, over the operator's maximum/);
  t.deepEqual(
    errors.splice(before).filter((line) => !/status of 422/.test(line)),
    [],
  );
  await page.getByRole('link', { name: 'Run' }).click();
  t.is(await page.getByLabel('Input').inputValue(), '{"name":"ada"}', 'the last input is remembered');
  t.deepEqual(await run(page, '{"name":"grace"}'), { message: 'hi grace' });
  t.regex((await page.getByLabel('Logs').textContent()) ?? '', /\[greet\] log: greeting grace/);
  t.regex((await page.getByLabel('Stats').textContent()) ?? '', /ms · 1 executed · .* activation act_/);

  await page.getByRole('link', { name: 'Endpoints' }).click();
  await page.getByLabel('Method').selectOption('POST');
  await page.getByLabel('Path').fill('/greet');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const url = (await page.getByLabel('URL of POST /greet').textContent({ timeout: 10_000 })) ?? '';
  t.regex(url, new RegExp(`/run/app_[^/]+/greet$`));
  t.regex((await page.getByLabel('curl for POST /greet').textContent()) ?? '', /^curl -X POST .*'http:\/\/.*\/greet'$/);
  await screenshot(page, 'console', 'endpoints');
  const called = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { name: 'lin' } }) });
  t.is(called.status, 200);
  t.like(await called.json(), { output: { message: 'hi lin' } });

  // The same pages on a phone: usable without sideways scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [name, path] of [
    ['apps', '/'],
    ['overview', appPath],
    ['code', `${appPath}/code`],
    ['run', `${appPath}/run`],
    ['endpoints', `${appPath}/endpoints`],
    ['history', `${appPath}/history`],
    ['versions', `${appPath}/versions`],
    ['profiles', `${appPath}/profiles`],
  ] as const) {
    await page.goto(cloud.url + path);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    t.true(await fitsWidth(page), `${name} fits 390 px`);
    await screenshot(page, 'console', name);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(cloud.url + '/');
  await page.getByRole('link', { name: 'greeter' }).waitFor();
  await screenshot(page, 'console', 'apps');

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await screenshot(page, 'console', 'log-in');
  await page.setViewportSize({ width: 390, height: 844 });
  t.true(await fitsWidth(page), 'log-in fits 390 px');
  await screenshot(page, 'console', 'log-in');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(cloud.url + appPath);
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  t.is(await page.getByText('greeter').count(), 0, 'logged out, the app is not shown');
  t.deepEqual(errors, [], 'no console errors');

  const second = await watchedPage(cloud.browser);
  t.teardown(() => second.context.close());
  await signUp(second.page, freshEmail('console-second'));
  await second.page.getByText('No apps yet').waitFor();
  t.is(await second.page.getByText('greeter').count(), 0);
  await second.page.goto(cloud.url + appPath);
  t.regex((await second.page.getByRole('alert').textContent()) ?? '', /^APP_NOT_FOUND: /);
  // That refused request is the only error the browser reported.
  t.deepEqual(
    second.errors.splice(0).filter((line) => !/status of 404/.test(line)),
    [],
  );

  await second.page.getByRole('link', { name: 'Apps' }).click();
  await second.page.getByRole('button', { name: 'New app' }).click();
  await second.page.getByLabel('Name').fill('scratch');
  await second.page.getByRole('button', { name: 'Create' }).click();
  await second.page.getByRole('link', { name: 'Overview' }).click();
  second.page.once('dialog', (dialog) => void dialog.accept());
  await second.page.getByRole('button', { name: 'Delete' }).click();
  await second.page.getByText('No apps yet').waitFor();
  t.deepEqual(second.errors, []);
});
