/**
 * @module What the compiled command loads: only what the work at hand needs, so that `--help` and `run --local` start
 * quickly and an idle service holds no SDK it has not used. Packages are seen through a module hook, by name.
 */
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliPath } from '../../build/dist.ts';
import { packageRoot } from '../../runtime/package-root.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until } from '../helpers/wait.ts';

/** `node --import` arguments that record in `log` every module file loaded from a node_modules folder. */
function recordLoads(log: string): string[] {
  const hook = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.includes('/node_modules/')) appendFileSync(${JSON.stringify(log)}, url + '\\n');
  return next(url, context);
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  return ['--import', `data:text/javascript,${encodeURIComponent(register)}`];
}

/** The packages named in a load log: `@scope/name` or `name`, after the last node_modules/. */
async function packagesLoaded(log: string): Promise<Set<string>> {
  const urls = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return new Set(urls.map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*\/node_modules\/)/.exec(url)?.[1] ?? url));
}

test('--help loads commander and no other package', async (t) => {
  const log = join(await tempFolder('ec-loads'), 'loads');
  const { stdout } = await promisify(execFile)(process.execPath, [...recordLoads(log), cliPath, '--help']);
  t.regex(stdout, /Usage: edgecourier/);
  t.deepEqual([...(await packagesLoaded(log))], ['commander']);
});

test('run --local of a JavaScript app loads neither the Docker client nor esbuild', async (t) => {
  const log = join(await tempFolder('ec-loads'), 'loads');
  const app = join(packageRoot, 'docs', 'examples', 'hello');
  const { stdout } = await promisify(execFile)(process.execPath, [...recordLoads(log), cliPath, 'run', app, 'greet', '--local', '--input', '{"name":"lazy"}']);
  t.like(JSON.parse(stdout), { ok: true, output: { message: 'hello LAZY' } });
  const loaded = await packagesLoaded(log);
  for (const name of ['dockerode', 'esbuild', 'express', 'pino', 'prom-client']) t.false(loaded.has(name), name);
});

test('an idle start --local has loaded no sync SDK, password meter, mailer, compiler or Docker client', async (t) => {
  const dir = await tempFolder('ec-loads');
  const log = join(dir, 'loads');
  const child = spawn(process.execPath, [...recordLoads(log), cliPath, 'start', '--local', '--data', join(dir, 'data'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await until('start saying it is running', () => output.includes('edgecourier is running'), { timeoutMs: 60_000 });
  const loaded = await packagesLoaded(log);
  t.true(loaded.has('express'), [...loaded].join(', '));
  const unused = ['dropbox', '@microsoft/microsoft-graph-client', '@zxcvbn-ts/core', '@zxcvbn-ts/language-common', 'nodemailer', 'esbuild', 'dockerode'];
  t.deepEqual(
    unused.filter((name) => loaded.has(name)),
    [],
  );
});
