/** Who is an operator: never whoever signs up first with an address, only accounts granted the role with `edgecourier cloud operators` on the cloud's host. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { api, freshEmail, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { tempFolder } from '../helpers/temp.ts';

const cli = fileURLToPath(new URL('../../dist/edgecourier.js', import.meta.url));

async function run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number | null; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function signUp(cloud: TestCloud, email: string): Promise<string> {
  const password = 'correct horse battery';
  expect201(await api(cloud.url, 'POST', '/api/v1/accounts', { email, password }));
  const session = await api(cloud.url, 'POST', '/api/v1/sessions', { email, password });
  return (await api(cloud.url, 'POST', '/api/v1/tokens', { name: 'courier' }, session.body.token)).body.token as string;
}

function expect201(answer: { status: number; text: string }): void {
  if (answer.status !== 201) throw new Error(`sign-up answered ${answer.status}: ${answer.text}`);
}

/** What an account's token may do that only an operator may: list the fleet, and register a local root. */
async function operatorRights(cloud: TestCloud, token: string): Promise<number[]> {
  return [
    (await api(cloud.url, 'GET', '/api/v1/fleet/couriers', undefined, token)).status,
    (await api(cloud.url, 'POST', '/api/v1/roots', { kind: 'local', path: '/srv/edge' }, token)).status,
  ];
}

test('edgecourier cloud --operator is refused, pointing at the command that grants the role', async (t) => {
  const data = join(await tempFolder('ec-operator-flag'), 'data');
  const result = await run('cloud', '--operator', 'admin@corp.example', '--data', data, '--port', '0', '--host', '127.0.0.1', '--local');
  t.false(result.stdout.includes('cloud is listening'), 'the cloud must not start');
  t.regex(result.stderr, /--operator is gone: it made whoever signed up first with that address an operator/);
  t.regex(result.stderr, /edgecourier cloud operators add admin@corp\.example --data/);
  t.not(result.code, 0);
});

test('signing up gives no operator rights; operators add grants them to the existing account, remove takes them back', async (t) => {
  const cloud = await startTestCloud({ smtp: false });
  t.teardown(() => cloud.close());
  const email = freshEmail('admin');
  const token = await signUp(cloud, email.toUpperCase());
  t.deepEqual(await operatorRights(cloud, token), [403, 403]);
  t.is((await stat(join(cloud.dataDir, 'control.sock'))).mode & 0o777, 0o600, "only the cloud's own user may use the control socket");

  const added = await run('cloud', 'operators', 'add', email, '--data', cloud.dataDir, '--json');
  t.is(added.code, 0, added.stderr);
  t.like(JSON.parse(added.stdout), { email, operator: true, changed: true });
  t.deepEqual(await operatorRights(cloud, token), [200, 201]);
  const listed = await run('cloud', 'operators', 'list', '--data', cloud.dataDir, '--json');
  t.deepEqual(
    JSON.parse(listed.stdout).map((operator: { email: string }) => operator.email),
    [email],
  );

  const removed = await run('cloud', 'operators', 'remove', email, '--data', cloud.dataDir, '--json');
  t.like(JSON.parse(removed.stdout), { email, operator: false, changed: true });
  t.deepEqual(await operatorRights(cloud, token), [403, 403]);
});

test('operators add refuses an address nobody signed up with, so the role never waits for whoever signs up first', async (t) => {
  const cloud = await startTestCloud({ smtp: false });
  t.teardown(() => cloud.close());
  const email = freshEmail('later');
  const added = await run('cloud', 'operators', 'add', email, '--data', cloud.dataDir);
  t.is(added.code, 1);
  t.regex(added.stderr, new RegExp(`NOT_FOUND: no account has the address ${email}: sign up with it first`));
  t.deepEqual(await operatorRights(cloud, await signUp(cloud, email)), [403, 403]);
});

test('operators says so when no cloud runs on the data folder', async (t) => {
  const data = await tempFolder('ec-no-cloud');
  const listed = await run('cloud', 'operators', 'list', '--data', data);
  t.is(listed.code, 1);
  t.regex(
    listed.stderr,
    /CLOUD_UNREACHABLE: cannot reach the cloud's control socket .*control\.sock \(ENOENT\); no cloud answers there: start it with this --data folder/,
  );
});
