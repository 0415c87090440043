/** The cloud from the command line: sign up, deploy a folder app, call it, read its logs, pull it and run it at the edge. */
import test from 'ava';
import { runCli } from '../helpers/cli.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempFolder } from '../helpers/temp.ts';
import { cliEnv, useCloud } from '../helpers/use-cloud.ts';

const example = fileURLToPath(new URL('../../docs/examples/hello', import.meta.url));

const cloud = useCloud(test, { docker: true, signUp: false });
let env: NodeJS.ProcessEnv;

const run = (...args: string[]) => runCli(args, { env });

test.before(async () => {
  const dir = await tempFolder('ec-cloud-cli');
  env = cliEnv(cloud.url, dir);
});

test.serial('signup logs in and saves a token only its user can read', async (t) => {
  const result = await run('signup', '--url', cloud.url, '--email', 'cli@example.com');
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /logged in/);
  const saved = JSON.parse(await readFile(env.EDGECOURIER_CREDENTIALS!, 'utf8')) as { token: string };
  t.regex(saved.token, /^ecp_/);
});

test.serial('deploy creates the app with its functions and public endpoints, started; apps lists it', async (t) => {
  const deployed = await run('deploy', example, '--start', '--json');
  t.is(deployed.code, 0, deployed.stderr);
  const app = JSON.parse(deployed.stdout) as { id: string; status: string; functions: string[]; endpoints: Array<{ path: string; url: string }> };
  t.is(app.status, 'running');
  t.deepEqual(app.functions.sort(), ['greet', 'upper']);
  const greet = app.endpoints.find((endpoint) => endpoint.path === '/greet');
  const response = await fetch(greet!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"input":{"name":"cli"}}' });
  t.like(await response.json(), { output: { message: 'hello CLI' } });
  const listed = JSON.parse((await run('apps', '--json')).stdout) as Array<{ name: string }>;
  t.deepEqual(
    listed.map((a) => a.name),
    ['hello'],
  );
});

test.serial('invoke test-invokes a function and logs shows its console output', async (t) => {
  const invoked = await run('invoke', 'hello', 'greet', '--input', '{"name":"logs"}', '--json');
  t.is(invoked.code, 0, invoked.stderr);
  t.like(JSON.parse(invoked.stdout), { output: { message: 'hello LOGS' } });
  const logs = await run('logs', 'hello', 'greet');
  t.regex(logs.stdout, /greeting logs/);
});

test.serial('pull, run at the edge, and send the results as precomputed: the cloud executes nothing', async (t) => {
  const dir = join(await tempFolder('ec-pulled'), 'hello');
  t.is((await run('pull', 'hello', 'greet', dir)).code, 0);
  const results = join(dir, '..', 'results.json');
  const local = await run('run', dir, 'greet', '--local', '--input', '{"name":"edge"}', '--save-results', results);
  t.is(local.code, 0, local.stderr);
  const replay = await run('invoke', 'hello', 'greet', '--input', '{"name":"edge"}', '--precomputed', results, '--json');
  t.like(JSON.parse(replay.stdout), { output: { message: 'hello EDGE' }, stats: { executed: 0, precomputedHits: 1 } });
});

test.serial('a command that needs a login says how to log in', async (t) => {
  const result = await run('apps');
  t.is(result.code, 0);
  const logged = { ...env, EDGECOURIER_CREDENTIALS: '/nonexistent/credentials.json' };
  const saved = env;
  env = logged;
  const anonymous = await run('apps');
  env = saved;
  t.is(anonymous.code, 1);
  t.regex(anonymous.stderr, /not logged in: run `edgecourier login/);
});
