/** @module `edgecourier courier --cloud --token-file`: the token read from a private file, trimmed, and bad files refused before anything starts. */
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { api, freshEmail, grantOperator, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { sleep } from '../helpers/courier.ts';
import { tempFolder } from '../helpers/temp.ts';

const cli = fileURLToPath(new URL('../../dist/edgecourier.js', import.meta.url));

let dir: string;
let cloud: TestCloud;
let token: string;
let env: NodeJS.ProcessEnv;

test.before(async () => {
  dir = await tempFolder('ec-token-file');
  const operator = { email: freshEmail('token-file'), password: 'correct horse battery' };
  cloud = await startTestCloud({ smtp: false });
  await api(cloud.url, 'POST', '/api/v1/accounts', operator);
  await grantOperator(cloud.dataDir, operator.email);
  const session = (await api(cloud.url, 'POST', '/api/v1/sessions', operator)).body.token as string;
  token = (await api(cloud.url, 'POST', '/api/v1/tokens', { name: 'file' }, session)).body.token as string;
  env = { ...process.env };
  delete env.EDGECOURIER_TOKEN;
});

test.after.always(async () => {
  await cloud?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function tokenFile(name: string, content: string, mode: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  await chmod(path, mode);
  return path;
}

const refused: Array<[string, () => Promise<string[]>, RegExp]> = [
  ['a token file others can read', async () => ['--token-file', await tokenFile('open', 'ecp_x\n', 0o644)], /other users may read it; run: chmod 600/],
  ['an empty token file', async () => ['--token-file', await tokenFile('empty', ' \n', 0o600)], /is empty; it should hold an operator's API token/],
  ['a missing token file', async () => ['--token-file', join(dir, 'missing')], /no file at .*missing/],
  [
    'both --token and --token-file',
    async () => ['--token', 'ecp_x', '--token-file', await tokenFile('both', 'ecp_x', 0o600)],
    /give --token or --token-file, not both/,
  ],
];
for (const [what, args, message] of refused) {
  test(`${what} is refused with a message that says what to do`, async (t) => {
    const failed = await promisify(execFile)(process.execPath, [cli, 'courier', '--cloud', cloud.url, '--local', ...(await args())], {
      env,
      timeout: 60_000,
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    t.truthy(failed, 'the courier did not start');
    t.regex(failed!.stderr, message);
  });
}

test('a courier registers with the token from a private file that ends in a newline', async (t) => {
  const file = await tokenFile('good', `${token}\n`, 0o600);
  const courier = spawn(
    process.execPath,
    [cli, 'courier', '--cloud', cloud.url, '--local', '--name', 'from-file', '--token-file', file, '--state', join(dir, 'state')],
    { env, stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => courier.once('exit', resolve));
  try {
    const deadline = Date.now() + 30_000;
    let names: string[] = [];
    while (!names.includes('from-file') && Date.now() < deadline) {
      names = ((await api(cloud.url, 'GET', '/api/v1/fleet/couriers', undefined, token)).body.couriers as Array<{ name: string }>).map((entry) => entry.name);
      await sleep(200);
    }
    t.true(names.includes('from-file'));
  } finally {
    courier.kill('SIGTERM');
    await exited;
  }
});
