/** `edgecourier run --secrets`: the functions get the app's settings and the file's secrets, with --local as in a container; a file others may read is refused. */
import test from 'ava';
import { runCli } from '../helpers/cli.ts';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyFixtureApp } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';

const run = (...args: string[]) => runCli(args);

async function secretsFile(secrets: Record<string, string>, mode = 0o600): Promise<string> {
  const path = join(await tempFolder('ec-secrets'), 'secrets.json');
  await writeFile(path, JSON.stringify(secrets), { mode });
  return path;
}

for (const where of ['--local', 'a container'] as const) {
  test(`run with ${where} gives the functions app.json's settings and the --secrets file's values`, async (t) => {
    const secret = `sk-${randomUUID()}`;
    const app = await copyFixtureApp('configured');
    const local = where === '--local' ? ['--local'] : [];
    const result = await run('run', app, 'env', ...local, '--secrets', await secretsFile({ API_KEY: secret }));
    t.is(result.code, 0, result.stderr);
    t.deepEqual(JSON.parse(result.stdout).output.env, { GREETING: 'hello from app.json', MODE: 'placeholder', API_KEY: secret });
    const without = await run('run', app, 'env', ...local);
    t.deepEqual(JSON.parse(without.stdout).output.env, { GREETING: 'hello from app.json', MODE: 'placeholder' });
  });
}

test('a --secrets file others may read is refused before anything runs, saying what to do', async (t) => {
  const path = await secretsFile({ API_KEY: 'open' }, 0o644);
  const result = await run('run', await copyFixtureApp('configured'), 'env', '--local', '--secrets', path);
  t.is(result.code, 1);
  t.is(result.stdout, '');
  t.regex(result.stderr, new RegExp(`INVALID_APP: the secrets file ${path} may be read by other users, so it is not used; run: chmod 600 ${path}`));
});
