/** `edgecourier secrets` against a real cloud: a value set from stdin reaches the deployed app's functions, is listed by name only, and goes when removed. */
import test from 'ava';
import { runCli } from '../helpers/cli.ts';
import { createHash, randomUUID } from 'node:crypto';
import { copyFixtureApp } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';
import { cliEnv, useCloud } from '../helpers/use-cloud.ts';

const cloud = useCloud(test, { docker: true, signUp: false });
let env: NodeJS.ProcessEnv;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The command with `stdin` piped to it (an empty stdin when not given). */
/** The command with `stdin` piped to it (an empty stdin when not given). */
const run = (args: string[], stdin = '') => runCli(args, { env, stdin });

async function digest(name: string): Promise<unknown> {
  const invoked = await run(['invoke', 'configured', 'digest', '--input', JSON.stringify({ name }), '--json']);
  if (invoked.code !== 0) throw new Error(`invoke failed: ${invoked.stderr}${invoked.stdout}`);
  return JSON.parse(invoked.stdout).output;
}

test.before(async () => {
  const dir = await tempFolder('ec-secrets-cli');
  env = cliEnv(cloud.url, dir);
  const signup = await run(['signup', '--url', cloud.url, '--email', 'secrets-cli@example.com']);
  if (signup.code !== 0) throw new Error(signup.stderr);
  const deployed = await run(['deploy', await copyFixtureApp('configured')]);
  if (deployed.code !== 0) throw new Error(deployed.stderr);
});

test.serial("a secret set from stdin reaches the app's functions beside its app.json settings, and list shows its name only", async (t) => {
  const secret = `sk-${randomUUID()}`;
  const set = await run(['secrets', 'set', 'configured', 'API_KEY'], `${secret}\n`);
  t.is(set.code, 0, set.stderr);
  t.regex(set.stderr, /secret API_KEY of configured set/);
  t.is(await digest('API_KEY'), sha256(secret), 'the value without the final newline');
  t.is(await digest('GREETING'), sha256('hello from app.json'), 'deploy sent the settings');
  const listed = await run(['secrets', 'list', 'configured', '--json']);
  t.is(listed.code, 0, listed.stderr);
  const secrets = JSON.parse(listed.stdout) as Array<Record<string, string>>;
  t.deepEqual(
    secrets.map((entry) => [entry.name, Object.keys(entry).sort()]),
    [['API_KEY', ['createdAt', 'name', 'updatedAt']]],
  );
  t.false(listed.stdout.includes(secret));
});

test.serial('a secret of several lines keeps them all but the final newline', async (t) => {
  const pem = '-----BEGIN KEY-----\nAAAA\nBBBB\n-----END KEY-----';
  t.is((await run(['secrets', 'set', 'configured', 'PEM'], `${pem}\n`)).code, 0);
  t.is(await digest('PEM'), sha256(pem));
});

test.serial('set with nothing on stdin exits 2 and stores nothing', async (t) => {
  const set = await run(['secrets', 'set', 'configured', 'EMPTY']);
  t.is(set.code, 2);
  t.regex(set.stderr, /INVALID_INPUT: no value for EMPTY: pipe it to stdin or type it at the prompt/);
  t.is(await digest('EMPTY'), null);
});

test.serial('a bad name is refused by the cloud, saying why', async (t) => {
  const set = await run(['secrets', 'set', 'configured', 'api-key'], 'x');
  t.is(set.code, 2);
  t.regex(set.stderr, /INVALID_INPUT: path: name: a variable name starts with a letter or _/);
});

test.serial('rm removes a secret: the function no longer sees it, and removing it again is SECRET_NOT_FOUND', async (t) => {
  await run(['secrets', 'set', 'configured', 'GONE'], 'soon gone');
  const removed = await run(['secrets', 'rm', 'configured', 'GONE']);
  t.is(removed.code, 0, removed.stderr);
  t.is(await digest('GONE'), null);
  const again = await run(['secrets', 'rm', 'configured', 'GONE']);
  t.is(again.code, 1);
  t.regex(again.stderr, /SECRET_NOT_FOUND: app "configured" has no secret "GONE"/);
});
