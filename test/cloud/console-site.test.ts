/** The cloud serves the web console: its page under a strict policy, its hashed files cached for good, and the API as before. */
import test from 'ava';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtConsoleDir } from '../../cloud/console-site.ts';
import { startTestCloud, type TestCloud } from '../helpers/cloud.ts';

let cloud: TestCloud;
test.before(async () => {
  cloud = await startTestCloud({ smtp: false });
});
test.after.always(async () => {
  await cloud?.close();
});

const get = (path: string, accept?: string) => fetch(cloud.url + path, { headers: accept ? { accept } : {} });
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

test('GET / is the console page, under a Content-Security-Policy that runs no inline script, never cached', async (t) => {
  const page = await get('/');
  t.is(page.status, 200);
  t.regex(page.headers.get('content-type') ?? '', /^text\/html/);
  const policy = page.headers.get('content-security-policy') ?? '';
  t.regex(policy, /script-src 'self';/);
  t.notRegex(policy, /script-src[^;]*unsafe-inline/);
  t.regex(policy, /frame-ancestors 'none'/);
  t.regex(page.headers.get('cache-control') ?? '', /no-cache/);
  const html = await page.text();
  t.regex(html, /<script type="module" src="\/assets\/main-[A-Z0-9]+\.js"><\/script>/);
  t.notRegex(html, /<script>|<script type="module">/, 'no inline script');
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  t.truthy(nonce);
  t.true(html.includes(`content="${nonce}"`), "the page hands the editor this answer's style nonce");
  const again = (await get('/')).headers.get('content-security-policy');
  t.not(/'nonce-([^']+)'/.exec(again ?? '')?.[1], nonce, 'a new nonce each answer');
});

test("the console's own addresses load its page when a browser asks for HTML; the API's misses stay JSON", async (t) => {
  const deep = await get('/apps/app_x/code', HTML);
  t.is(deep.status, 200);
  t.regex(await deep.text(), /<div id="app">/);
  for (const [path, accept] of [
    ['/apps/app_x/code', 'application/json'],
    ['/apps/app_x/code', undefined],
    ['/api/v1/nothing', HTML],
  ] as const) {
    const answer = await get(path, accept);
    t.is(answer.status, 404, `${path} accepting ${accept}`);
    t.like(await answer.json(), { error: { code: 'NOT_FOUND' } });
  }
  const posted = await fetch(cloud.url + '/apps', { method: 'POST', headers: { accept: HTML } });
  t.is(posted.status, 404, 'only GET and HEAD load the page');
  const reset = await get('/reset-password', HTML);
  t.regex(await reset.text(), /<div id="app">/, "the mailed reset link opens the console's page");
});

test('its scripts and styles are named by their content and cached for a year; the code editor is not part of the first load', async (t) => {
  const html = await (await get('/')).text();
  const first = [...html.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((match) => match[1]!);
  t.true(first.length >= 2, 'a script and a style sheet');
  for (const name of first) {
    const asset = await get(`/assets/${name}`);
    t.is(asset.status, 200);
    t.regex(asset.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
  }
  const names = await readdir(join(builtConsoleDir, 'assets'));
  const editorChunks: string[] = [];
  for (const name of names) if ((await readFile(join(builtConsoleDir, 'assets', name), 'utf8')).includes('.cm-content')) editorChunks.push(name);
  t.true(editorChunks.length > 0, 'CodeMirror is in the build');
  t.false(
    editorChunks.some((name) => first.includes(name)),
    'and not in what the page loads first',
  );
  const missing = await get('/assets/main-NOSUCHFILE.js');
  t.is(missing.status, 404);
  t.like(await missing.json(), { error: { code: 'NOT_FOUND', message: 'no route GET /assets/main-NOSUCHFILE.js' } });
});

test('a cloud whose console is not built says so at /', async (t) => {
  const other = await startTestCloud({ smtp: false, consoleDir: await mkdtemp(join(tmpdir(), 'ec-no-console-')) });
  t.teardown(() => other.close());
  const answer = await fetch(other.url + '/');
  t.is(answer.status, 404);
  t.regex(((await answer.json()) as any).error.message, /console is not built here: run `npm run build`/);
});
