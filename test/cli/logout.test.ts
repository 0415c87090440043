/** `edgecourier logout`: the saved API token is revoked on the cloud and forgotten here, and forgotten even when the cloud is away. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { access, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { api, freshEmail, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { tempFolder } from '../helpers/temp.ts';

const cli = fileURLToPath(new URL('../../dist/edgecourier.js', import.meta.url));

let cloud: TestCloud;
test.before(async () => {
  cloud = await startTestCloud({ smtp: false });
});
test.after.always(async () => {
  await cloud?.close();
});

/** The CLI with its own credentials file and no token from the environment. */
async function cliIn(dir: string) {
  const credentials = join(dir, 'credentials.json');
  const env: NodeJS.ProcessEnv = { ...process.env, EDGECOURIER_CREDENTIALS: credentials, EDGECOURIER_PASSWORD: 'velvet orbit quarry' };
  delete env.EDGECOURIER_TOKEN;
  delete env.EDGECOURIER_URL;
  const run = async (...args: string[]) => {
    try {
      const { stderr } = await promisify(execFile)(process.execPath, [cli, ...args], { env, timeout: 60_000 });
      return { code: 0, stderr };
    } catch (error) {
      const failed = error as { code: number; stderr: string };
      return { code: failed.code, stderr: failed.stderr };
    }
  };
  const saved = () =>
    access(credentials).then(
      () => true,
      () => false,
    );
  return { credentials, run, saved };
}

test('logout revokes the saved token on the cloud and forgets it', async (t) => {
  const { credentials, run, saved } = await cliIn(await tempFolder('ec-logout'));
  t.is((await run('signup', '--url', cloud.url, '--email', freshEmail('logout'))).code, 0);
  const { token } = JSON.parse(await readFile(credentials, 'utf8')) as { token: string };
  t.is((await api(cloud.url, 'GET', '/api/v1/me', undefined, token)).status, 200);
  const out = await run('logout');
  t.is(out.code, 0, out.stderr);
  t.regex(out.stderr, /the token is revoked and forgotten/);
  t.like(await api(cloud.url, 'GET', '/api/v1/me', undefined, token), { status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
  t.false(await saved());
  t.regex((await run('logout')).stderr, /not logged in/);
});

test('logout says so when the cloud cannot be reached, and still forgets the token', async (t) => {
  const { credentials, run, saved } = await cliIn(await tempFolder('ec-logout-away'));
  // A port that was free a moment ago: nothing answers there.
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  await writeFile(credentials, JSON.stringify({ url: `http://127.0.0.1:${port}`, token: 'ecp_somewhere', email: 'away@example.com' }), { mode: 0o600 });
  const out = await run('logout');
  t.is(out.code, 1);
  t.regex(out.stderr, /could not be revoked on http:\/\/127\.0\.0\.1:\d+, where it stays valid/);
  t.regex(out.stderr, /CLOUD_UNREACHABLE/);
  t.false(await saved());
});
