/**
 * `deploy --start` says on stderr each step the cloud's start is at, so a start that installs dependencies is not
 * silent: the test's registry holds the download until the CLI has said "installing dependencies".
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cliPath } from '../../build/dist.ts';
import { runCli } from '../helpers/cli.ts';
import { startLocalRegistry, type LocalRegistry } from '../helpers/local-registry.ts';
import { tempFolder } from '../helpers/temp.ts';
import { cliEnv, useCloud } from '../helpers/use-cloud.ts';
import { until } from '../helpers/wait.ts';

const cloud = useCloud(test, { docker: true, signUp: false });
let registry: LocalRegistry;
let env: NodeJS.ProcessEnv;
let appDir: string;

test.before(async () => {
  registry = await startLocalRegistry({ 'slow-leaf': { files: { 'index.js': "module.exports = 'from slow-leaf';\n" } } });
  // The cloud's npm takes this registry, and a cache of its own so the tarball is asked for.
  process.env.npm_config_registry = registry.url;
  process.env.npm_config_cache = await tempFolder('ec-npm-cache');
  const dir = await tempFolder('ec-deploy-progress');
  env = cliEnv(cloud.url, dir);
  appDir = join(dir, 'leafy');
  await mkdir(join(appDir, 'functions'), { recursive: true });
  await writeFile(join(appDir, 'package.json'), JSON.stringify({ dependencies: { 'slow-leaf': '1.0.0' } }));
  await writeFile(join(appDir, 'functions', 'leaf.js'), "import leaf from 'slow-leaf';\nexport default () => leaf;\n");
  const signedUp = await runCli(['signup', '--url', cloud.url, '--email', 'deploy-progress@example.com'], { env });
  if (signedUp.code !== 0) throw new Error(signedUp.stderr);
});
test.after.always(() => registry?.close());

test('deploy --start --json prints the start’s steps on stderr as they come, and its JSON on stdout alone', async (t) => {
  const hold = registry.holdTarballs();
  const child = spawn(process.execPath, [cliPath, 'deploy', appDir, '--start', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  t.teardown(() => child.kill());
  await hold.reached;
  await until('the CLI says the dependencies are installing', () => stderr.includes('edgecourier: starting leafy: installing dependencies\n'));
  hold.letGo();
  t.is(await exited, 0, stderr);
  t.like(JSON.parse(stdout), { name: 'leafy', status: 'running' });
  const steps = stderr.split('\n').filter((line) => line.startsWith('edgecourier: starting leafy'));
  t.is(steps[0], 'edgecourier: starting leafy', 'the start is announced first');
  t.is(new Set(steps).size, steps.length, 'each step is said once');
});
