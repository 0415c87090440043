/**
 * The commands' two ways of answering, against a real cloud (functions in Docker): text a person reads by default,
 * and with --json a document that parses: apps, deploy, invoke, secrets, files, pull, login and logout, operators.
 */
import test from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { tempFolder } from '../helpers/temp.ts';
import { cliEnv, useCloud } from '../helpers/use-cloud.ts';

const example = fileURLToPath(new URL('../../docs/examples/hello', import.meta.url));

const cloud = useCloud(test, { docker: true });
let env: NodeJS.ProcessEnv;
let dir: string;

const run = (args: string[], stdin?: string) => runCli(args, { env, stdin });

/** What a command printed with --json, parsed; a failure throws with what it said. */
async function json(...args: string[]): Promise<any> {
  const result = await run([...args, '--json']);
  if (result.code !== 0) throw new Error(`${args.join(' ')} --json exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

test.serial.before(async () => {
  dir = await tempFolder('ec-text-output');
  env = cliEnv(cloud.url, dir);
  const login = await run(['login', '--url', cloud.url, '--email', cloud.email, '--json']);
  if (login.code !== 0) throw new Error(login.stderr);
  const saved = JSON.parse(login.stdout);
  if (saved.email !== cloud.email || saved.credentials !== env.EDGECOURIER_CREDENTIALS || 'token' in saved)
    throw new Error(`login --json said ${login.stdout}`);
});

test.serial('deploy says what it deployed: the app, its state, the version with its tag, the endpoints and the dependencies', async (t) => {
  const text = await run(['deploy', example, '--start', '--tag', '1.0.0']);
  t.is(text.code, 0, text.stderr);
  const [head, functions, endpoints, greet, upper, dependencies] = text.stdout.trimEnd().split('\n');
  t.regex(head!, /^app hello \(app_[0-9a-f]{16}\) is running, serving version [0-9a-f]{12} \(1\.0\.0\)$/);
  t.is(functions, 'functions: greet, upper');
  t.is(endpoints, 'endpoints:');
  t.regex(greet!, new RegExp(`^  POST ${cloud.url}/run/app_[0-9a-f]{16}/greet \\(public\\) -> greet$`));
  t.regex(upper!, /\/upper \(public\) -> upper$/);
  t.is(dependencies, 'dependencies: none');

  const deployed = await json('deploy', example, '--tag', '1.0.0');
  t.like(deployed, { name: 'hello', status: 'running', tag: '1.0.0', dependencies: 'none', functions: ['greet', 'upper'] });
  t.regex(deployed.version, /^[0-9a-f]{64}$/);
  t.true(head!.includes(deployed.version.slice(0, 12)), 'the text names the same version');
});

test.serial('apps is a table a row an app, and a row more for each further endpoint; --json lists the same', async (t) => {
  const text = await run(['apps']);
  t.is(text.code, 0, text.stderr);
  const [header, first, second, ...rest] = text.stdout.trimEnd().split('\n');
  t.regex(header!, /^NAME +STATUS +VERSION +ACCESS +ENDPOINTS$/);
  t.regex(first!, new RegExp(`^hello +running +[0-9a-f]{12} +own +POST ${cloud.url}/run/app_[0-9a-f]{16}/greet \\(public\\)$`));
  t.regex(second!, /^ +POST \S+\/upper \(public\)$/);
  t.is(second!.indexOf('POST'), first!.indexOf('POST'), 'the endpoints line up');
  t.deepEqual(rest, []);

  const [listed] = await json('apps');
  t.like(listed, { name: 'hello', status: 'running', access: 'FULL_CONTROL', owned: true });
  t.true(first!.includes(listed.version.slice(0, 12)));
});

test.serial('invoke prints the output alone; a failure shows its code and message on stderr and exits 1; --json the whole response', async (t) => {
  const greeted = await run(['invoke', 'hello', 'greet', '-i', '{"name":"ada"}']);
  t.is(greeted.code, 0, greeted.stderr);
  t.is(greeted.stdout, '{\n  "message": "hello ADA"\n}\n');
  t.regex(greeted.stderr, /activation act_\S+/);
  const shouted = await run(['invoke', 'hello', 'upper', '-i', '{"text":"plain"}']);
  t.is(shouted.stdout, 'PLAIN\n', 'text as it is, not as a JSON string');

  const failed = await run(['invoke', 'hello', 'upper']);
  t.is(failed.code, 1);
  t.is(failed.stdout, '');
  t.regex(failed.stderr, /^edgecourier: FUNCTION_THREW: .*TypeError.*$/m);

  const whole = await json('invoke', 'hello', 'greet', '-i', '{"name":"ada"}');
  t.like(whole, { output: { message: 'hello ADA' } });
  t.truthy(whole.stats && whole.activationId);
  const failedJson = await run(['invoke', 'hello', 'upper', '--json']);
  t.is(failedJson.code, 1);
  t.like(JSON.parse(failedJson.stdout), { error: { code: 'FUNCTION_THREW' } });
});

test.serial('secrets list is a table of names and dates, never values; set and rm say what they did, and print JSON with --json', async (t) => {
  t.is((await run(['secrets', 'list', 'hello'])).stdout, 'app hello has no secrets\n');
  const set = await run(['secrets', 'set', 'hello', 'API_KEY', '--json'], 'sk-never-shown\n');
  t.is(set.code, 0, set.stderr);
  t.regex(set.stderr, /secret API_KEY of hello set/);
  t.deepEqual(Object.keys(JSON.parse(set.stdout)).sort(), ['createdAt', 'name', 'updatedAt']);

  const listed = await run(['secrets', 'list', 'hello']);
  const [header, row, ...rest] = listed.stdout.trimEnd().split('\n');
  t.regex(header!, /^NAME +SET +CHANGED$/);
  t.regex(row!, /^API_KEY +\d{4}-\d\d-\d\dT\S+ +\d{4}-\d\d-\d\dT\S+$/);
  t.deepEqual(rest, []);
  t.deepEqual(
    (await json('secrets', 'list', 'hello')).map((secret: { name: string }) => secret.name),
    ['API_KEY'],
  );
  for (const output of [set.stdout, listed.stdout]) t.false(output.includes('sk-never-shown'));

  const removed = await run(['secrets', 'rm', 'hello', 'API_KEY']);
  t.is(removed.stdout, '', 'the change is said on stderr');
  t.regex(removed.stderr, /secret API_KEY of hello removed/);
});

test.serial('files ls is a table of paths, sizes and hashes; files put says what it wrote; pull --json counts what it wrote', async (t) => {
  const listed = await run(['files', 'ls', 'hello']);
  const lines = listed.stdout.trimEnd().split('\n');
  t.regex(lines[0]!, /^PATH +BYTES +SHA-256$/);
  t.true(
    lines.some((line) => /^functions\/greet\.js +\d+ +[0-9a-f]{64}$/.test(line)),
    listed.stdout,
  );
  t.deepEqual(
    (await json('files', 'ls', 'hello')).map((file: { path: string }) => file.path),
    ['app.json', 'functions/greet.js', 'functions/upper.js'],
  );

  const put = await run(['files', 'put', 'hello', 'notes.txt'], 'a note\n');
  t.is(put.stdout, `wrote notes.txt of app hello: 7 bytes, SHA-256 ${(await json('files', 'ls', 'hello')).find((f: any) => f.path === 'notes.txt').sha256}\n`);

  const into = join(dir, 'pulled');
  t.like(await json('pull', 'hello', into), { dir: into, files: 4 });
  t.is((await readdir(into, { recursive: true })).filter((name) => name.includes('.')).length, 4);
});

test.serial('cloud operators say in words who is an operator, and --json gives the records', async (t) => {
  t.regex(
    (await run(['cloud', 'operators', 'list', '--data', cloud.dataDir])).stdout,
    /^no operators: add one with edgecourier cloud operators add <email>\n$/,
  );
  t.is((await run(['cloud', 'operators', 'add', cloud.email, '--data', cloud.dataDir])).stdout, `${cloud.email} is an operator\n`);
  t.is(
    (await run(['cloud', 'operators', 'add', cloud.email, '--data', cloud.dataDir])).stdout,
    `${cloud.email} is an operator (it already was so: nothing changed)\n`,
  );
  t.is((await run(['cloud', 'operators', 'list', '--data', cloud.dataDir])).stdout, `${cloud.email}\n`);
  t.like(await json('cloud', 'operators', 'list', '--data', cloud.dataDir), [{ email: cloud.email }]);
});

test.serial('couriers ls is a table or says there are none; --json is a list', async (t) => {
  const listed = await run(['couriers', 'ls']);
  t.is(listed.code, 0, listed.stderr);
  t.regex(listed.stdout, /^(no couriers on this host|NAME +STATE +HEALTH +UPTIME(\n\S+ +\S+ +\S+ +\S.*)+)\n$/);
  t.true(Array.isArray(await json('couriers', 'ls')));
});

test.serial('logout --json says which cloud revoked the token; logged out, it says there was none', async (t) => {
  t.deepEqual(await json('logout'), { url: cloud.url, revoked: true });
  const again = await run(['logout', '--json']);
  t.regex(again.stderr, /not logged in/);
  t.deepEqual(JSON.parse(again.stdout), { url: null, revoked: false });
});
