/**
 * Whole app folders and the cloud from the command line: deploy sends every file (a helper module, a template, a binary
 * asset) and an endpoint's function uses them; a refused deploy leaves the app as it was; pull writes the same bytes
 * back; `files` reads and changes one file at a time.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { api } from '../helpers/cloud.ts';
import { tempFolder } from '../helpers/temp.ts';
import { cliEnv, useCloud } from '../helpers/use-cloud.ts';

const cli = fileURLToPath(new URL('../../dist/edgecourier.js', import.meta.url));

const cloud = useCloud(test, { docker: true, signUp: false });
let env: NodeJS.ProcessEnv;
let base: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], input?: Buffer): Promise<Run & { bytes: Buffer }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, ...args],
      { env, timeout: 120_000, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: stdout.toString(), stderr: stderr.toString(), bytes: stdout });
      },
    );
    child.stdin!.end(input);
  });
}

/** Writes `files` as a folder `name` of its own. */
async function folder(name: string, files: Record<string, string | Buffer>): Promise<string> {
  const dir = join(await tempFolder('ec-app-folder'), name);
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
  return dir;
}

/** Every file under `dir`, by relative path. */
async function filesOf(dir: string, rel = ''): Promise<Record<string, Buffer>> {
  const found: Record<string, Buffer> = {};
  for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(found, await filesOf(dir, path));
    else found[path] = await readFile(join(dir, path));
  }
  return found;
}

/** A page rendered from a template file, by a function that imports a helper module of its app. */
const pageApp = {
  'app.json': `${JSON.stringify({ endpoints: [{ method: 'POST', path: '/page', function: 'page', public: true }] }, null, 2)}\n`,
  'functions/page.js': `import { readFile } from 'node:fs/promises';
import { greeting } from '../lib/greeting.js';

export default async function page(input) {
  const template = await readFile(new URL('../templates/page.html', import.meta.url), 'utf8');
  return { html: template.replace('{{greeting}}', greeting(input.name)) };
}
`,
  'lib/greeting.js': 'export const greeting = (name) => `Hello, ${name}!`;\n',
  'templates/page.html': '<h1>{{greeting}}</h1>\n',
  'assets/logo.bin': randomBytes(70_000),
  // Not sent: what the runtime passes over.
  'node_modules/left-pad/index.js': 'module.exports = 1;\n',
  '.env': 'SECRET=1\n',
  'results/old.json': '{}\n',
};

test.before(async () => {
  base = await tempFolder('ec-app-files-cli');
  env = cliEnv(cloud.url, base);
  const signedUp = await run(['signup', '--url', cloud.url, '--email', 'folders@example.com']);
  if (signedUp.code !== 0) throw new Error(signedUp.stderr);
});

test.serial('deploy sends the whole folder but the names passed over, and the endpoint renders the template through the helper module', async (t) => {
  const deployed = await run(['deploy', await folder('pages', pageApp), '--start', '--json']);
  t.is(deployed.code, 0, deployed.stderr);
  const app = JSON.parse(deployed.stdout) as { id: string; status: string; endpoints: Array<{ url: string }> };
  t.is(app.status, 'running');
  const listed = JSON.parse((await run(['files', 'ls', 'pages', '--json'])).stdout) as Array<{ path: string }>;
  t.deepEqual(
    listed.map((file) => file.path),
    ['app.json', 'assets/logo.bin', 'functions/page.js', 'lib/greeting.js', 'templates/page.html'],
  );
  const response = await fetch(app.endpoints[0]!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"input":{"name":"Ada"}}' });
  const text = await response.text();
  t.is(response.status, 200, text);
  t.deepEqual(JSON.parse(text).output, { html: '<h1>Hello, Ada!</h1>\n' });
});

test.serial('pull writes every file of the app back, byte for byte, and a deploy of what it wrote changes nothing', async (t) => {
  const dir = join(await tempFolder('ec-pulled'), 'pages');
  const pulled = await run(['pull', 'pages', dir]);
  t.is(pulled.code, 0, pulled.stderr);
  const files = await filesOf(dir);
  t.deepEqual(Object.keys(files).sort(), ['app.json', 'assets/logo.bin', 'functions/page.js', 'lib/greeting.js', 'templates/page.html']);
  for (const path of ['assets/logo.bin', 'functions/page.js', 'lib/greeting.js', 'templates/page.html']) {
    t.true(files[path]!.equals(Buffer.from(pageApp[path as keyof typeof pageApp])), path);
  }
  t.like(JSON.parse(files['app.json']!.toString()), { endpoints: [{ method: 'POST', path: '/page', function: 'page', public: true }] });
  const before = (await run(['files', 'ls', 'pages'])).stdout;
  const again = await run(['deploy', dir]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, /uploading 0 of 5 files/);
  t.is((await run(['files', 'ls', 'pages'])).stdout, before);
});

test.serial('a deploy with one bad file is refused whole: the app keeps every file it had, and a new app is not made', async (t) => {
  const before = (await run(['files', 'ls', 'pages'])).stdout;
  const bad = await folder('pages', { ...pageApp, 'templates/page.html': 'changed', 'functions/broken.js': Buffer.from([0xc3, 0x28]) });
  const refused = await run(['deploy', bad]);
  t.is(refused.code, 2, refused.stderr);
  t.regex(refused.stderr, /functions\/broken\.js is not UTF-8 text/);
  t.is((await run(['files', 'ls', 'pages'])).stdout, before);

  const fresh = await folder('never-made', { 'functions/broken.js': Buffer.from([0xc3, 0x28]) });
  t.not((await run(['deploy', fresh])).code, 0);
  const { body } = await api(cloud.url, 'GET', '/api/v1/apps', undefined, JSON.parse(await readFile(env.EDGECOURIER_CREDENTIALS!, 'utf8')).token);
  t.false(body.apps.some((app: { name: string }) => app.name === 'never-made'));
});

test.serial('files put, get and rm change one file: bytes from stdin, to stdout, and the endpoint sees the new template', async (t) => {
  const template = Buffer.from('<h2>{{greeting}}</h2>\n');
  const put = await run(['files', 'put', 'pages', 'templates/page.html'], template);
  t.is(put.code, 0, put.stderr);
  t.true((await run(['files', 'get', 'pages', 'templates/page.html'])).bytes.equals(template));
  const local = join(base, 'logo.bin');
  t.is((await run(['files', 'get', 'pages', 'assets/logo.bin', local])).code, 0);
  t.true((await readFile(local)).equals(pageApp['assets/logo.bin']));

  const invoked = await run(['invoke', 'pages', 'page', '--input', '{"name":"Bo"}', '--json']);
  t.like(JSON.parse(invoked.stdout), { output: { html: '<h2>Hello, Bo!</h2>\n' } }, invoked.stdout);

  t.is((await run(['files', 'rm', 'pages', 'assets/logo.bin'])).code, 0);
  const missing = await run(['files', 'get', 'pages', 'assets/logo.bin']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /FILE_NOT_FOUND/);
});
