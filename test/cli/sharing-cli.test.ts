/**
 * Sharing and the basic app commands from the command line, two users against one real cloud (functions in Docker):
 * whoami, share, unshare, grants, catalog, describe, deploy --app, stop and rm, each as text and as --json.
 */
import test from 'ava';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startCloud, type RunningCloud } from '../../cloud/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { runCli } from '../helpers/cli.ts';
import { freshEmail } from '../helpers/cloud.ts';
import { tempFolder } from '../helpers/temp.ts';

const example = fileURLToPath(new URL('../../docs/examples/hello', import.meta.url));

let cloud: RunningCloud;
let executor: ExecutorBundle;
let dir: string;
/** The environment of each user's commands: its own saved token. */
const envs: Record<'owner' | 'guest', NodeJS.ProcessEnv> = { owner: {}, guest: {} };
const emails = { owner: freshEmail('owner'), guest: freshEmail('guest') };
let appId: string;

const as = (who: 'owner' | 'guest', ...args: string[]) => runCli(args, { env: envs[who] });
/** What a command printed as JSON, with --json. */
const json = async (who: 'owner' | 'guest', ...args: string[]) => {
  const run = await as(who, ...args, '--json');
  if (run.code !== 0) throw new Error(`${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout);
};

test.before(async () => {
  dir = await tempFolder('ec-sharing-cli');
  executor = await createExecutor({ cacheDir: join(dir, 'cache'), prestart: 1 });
  cloud = await startCloud({ dataDir: join(dir, 'data'), port: 0, host: '127.0.0.1', executor, logger: pino({ level: 'silent' }) });
  for (const who of ['owner', 'guest'] as const) {
    envs[who] = {
      ...process.env,
      EDGECOURIER_CREDENTIALS: join(dir, `${who}.json`),
      EDGECOURIER_PASSWORD: 'correct horse battery',
      EDGECOURIER_URL: cloud.url,
    };
    delete envs[who].EDGECOURIER_TOKEN;
    const signup = await as(who, 'signup', '--url', cloud.url, '--email', emails[who]);
    if (signup.code !== 0) throw new Error(signup.stderr);
  }
  const deployed = await as('owner', 'deploy', example, '--json');
  if (deployed.code !== 0) throw new Error(deployed.stderr);
  appId = JSON.parse(deployed.stdout).id;
});

test.after.always(async () => {
  await cloud?.close();
  await executor?.executor.close();
});

test.serial('whoami names the account and the cloud, as text and as JSON; logged out, it says how to log in', async (t) => {
  const text = await as('guest', 'whoami');
  t.is(text.code, 0, text.stderr);
  t.is(text.stdout, `${emails.guest} on ${cloud.url}\n`);
  t.like(await json('guest', 'whoami'), { user: { email: emails.guest }, url: cloud.url });
  const nobody = await runCli(['whoami'], { env: { ...envs.guest, EDGECOURIER_CREDENTIALS: join(dir, 'nobody.json') } });
  t.is(nobody.code, 1);
  t.regex(nobody.stderr, /UNAUTHORIZED: not logged in: run `edgecourier login/);
});

test.serial("share gives the guest READ: the app is in the guest's list and describe, but not its grants; grants lists the guest", async (t) => {
  const shared = await as('owner', 'share', 'hello', emails.guest, '--as', 'read');
  t.is(shared.code, 0, shared.stderr);
  t.is(shared.stdout, `${emails.guest} may now READ app hello\n`);
  t.like(await json('guest', 'apps'), [{ id: appId, name: 'hello', access: 'READ', owned: false }]);

  const described = await as('guest', 'describe', 'hello');
  t.is(described.code, 0, described.stderr);
  t.regex(described.stdout, /^hello \(app_\w+\): stopped; your access: READ, shared with you$/m);
  t.regex(described.stdout, /^ {2}upper\.js {2}2000 ms, 128 MB \(idempotent\)$/m);
  t.regex(described.stdout, /^ {2}POST http:\/\/\S+\/greet -> greet \(public\)$/m);
  t.notRegex(described.stdout, /grants:/);
  const asJson = await json('guest', 'describe', 'hello');
  t.is(asJson.grants, undefined);
  t.deepEqual(asJson.files.map((file: { path: string }) => file.path).sort(), ['app.json', 'functions/greet.js', 'functions/upper.js']);

  const grants = await as('owner', 'grants', 'hello');
  t.regex(grants.stdout, new RegExp(`^${emails.guest} {2}READ {2}since \\S+$`, 'm'));
  t.like(await json('owner', 'describe', 'hello'), { grants: [{ grantee: emails.guest, access: 'READ' }] });
  const refused = await as('guest', 'grants', 'hello');
  t.is(refused.code, 1);
  t.regex(refused.stderr, /FORBIDDEN: you have READ access to app "hello"; FULL_CONTROL is needed/);
});

test.serial('share refuses a level it does not know and more than run for everyone (exit 2), and an address with no account (exit 1)', async (t) => {
  const bogus = await as('owner', 'share', 'hello', emails.guest, '--as', 'admin');
  t.is(bogus.code, 2);
  t.regex(bogus.stderr, /INVALID_INPUT: --as admin: give read, run, write or full/);
  const everyone = await as('owner', 'share', 'hello', 'everyone', '--as', 'write');
  t.is(everyone.code, 2);
  t.regex(everyone.stderr, /INVALID_INPUT: everyone may be granted READ or RUN only/);
  const nobody = await as('owner', 'share', 'hello', 'nobody@example.org', '--as', 'read');
  t.is(nobody.code, 1);
  t.regex(nobody.stderr, /USER_NOT_FOUND: no account has the address nobody@example.org/);
});

test.serial('shared with everyone, the app is in the catalogue, found by a word of its description; unshared, it is gone', async (t) => {
  t.is((await as('owner', 'share', 'hello', 'everyone', '--as', 'run')).code, 0);
  const page = await json('guest', 'catalog', 'SHOUTING', 'name');
  t.like(page, { total: 1, offset: 0, limit: 20, apps: [{ id: appId, name: 'hello', access: 'RUN' }] });
  const text = await as('guest', 'catalog', 'shouting');
  t.regex(text.stdout, new RegExp(`^hello {2}${appId} {2}RUN {2}stopped {2}greet, upper\\n {2}Greets someone by name`, 'm'));
  t.regex(text.stdout, /\(1-1 of 1; describe one with: edgecourier describe <id>\)/);

  const unshared = await as('owner', 'unshare', 'hello', 'everyone');
  t.is(unshared.code, 0, unshared.stderr);
  t.like(await json('guest', 'catalog', 'shouting'), { total: 0, apps: [] });
  t.is((await as('guest', 'catalog', 'shouting')).stdout, 'no app matches\n');
  const again = await as('owner', 'unshare', 'hello', 'everyone');
  t.is(again.code, 1);
  t.regex(again.stderr, /GRANT_NOT_FOUND: app "hello" grants nothing to everyone/);
});

test.serial('a WRITE guest deploys to the shared app with --app and stops it; a READ guest may not stop it', async (t) => {
  const refused = await as('guest', 'stop', 'hello');
  t.is(refused.code, 1);
  t.regex(refused.stderr, /FORBIDDEN: you have READ access to app "hello"; WRITE is needed to change it/);

  t.is((await as('owner', 'share', 'hello', emails.guest, '--as', 'write')).code, 0);
  const copy = join(dir, 'hello-edited');
  await cp(example, copy, { recursive: true });
  await writeFile(join(copy, 'functions', 'greet.js'), 'export default (input) => ({ message: `edited for ${input.name}` });\n');
  const deployed = await as('guest', 'deploy', copy, '--app', 'hello', '--start', '--json');
  t.is(deployed.code, 0, deployed.stderr);
  t.like(JSON.parse(deployed.stdout), { id: appId, name: 'hello', status: 'running' });
  const answer = await fetch(`${cloud.url}/run/${appId}/greet`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"input":{"name":"ada"}}',
  });
  t.like(await answer.json(), { output: { message: 'edited for ada' } });
  t.false(
    (await json('guest', 'apps')).some((app: { owned: boolean }) => app.owned),
    'the guest made no app of its own',
  );

  const stopped = await as('guest', 'stop', 'hello');
  t.is(stopped.code, 0, stopped.stderr);
  t.is(stopped.stdout, `app hello (${appId}) is stopped\n`);
  t.like(await json('owner', 'stop', 'hello'), { id: appId, status: 'stopped' });
});

test.serial('rm asks for --yes when it cannot ask at a terminal, and deletes the app with it', async (t) => {
  const unconfirmed = await as('owner', 'rm', 'hello');
  t.is(unconfirmed.code, 2);
  t.regex(unconfirmed.stderr, /INVALID_INPUT: rm deletes app hello with its functions, files, secrets and grants: pass --yes to confirm/);
  t.is((await as('owner', 'describe', 'hello')).code, 0, 'still there');
  t.like(await json('owner', 'rm', 'hello', '--yes'), { id: appId, name: 'hello', deleted: true });
  const gone = await as('guest', 'describe', appId);
  t.is(gone.code, 1);
  t.regex(gone.stderr, /APP_NOT_FOUND/);
});

for (const command of ['whoami', 'share', 'unshare', 'grants', 'catalog', 'describe', 'stop', 'rm']) {
  test(`${command} --help says what it does and offers --json`, async (t) => {
    const help = await runCli([command, '--help']);
    t.is(help.code, 0, help.stderr);
    t.regex(help.stdout, new RegExp(`^Usage: edgecourier ${command}`));
    t.regex(help.stdout, /--json/);
  });
}
