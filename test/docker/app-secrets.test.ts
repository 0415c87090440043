/** On real Docker: an app's secret reaches its function's process.env and nothing else: not the container's settings, not its process environment, not a file. */
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureEngine } from '../../docker/engine.ts';
import type { InvokeResponse } from '../../runtime/protocol.ts';
import { copyFixtureApp, startRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';

let runtime: TestRuntime;
let runDir: string;

test.before(async () => {
  runDir = await tempFolder('ec-run');
  runtime = await startRuntime({ runDir, prestart: 0 });
});

test.after.always(async () => {
  await runtime?.executor.close();
});

function output(response: InvokeResponse): any {
  if (!response.ok) throw new Error(`expected success, got ${response.error.code}: ${response.error.message}`);
  return response.output;
}

/** Every file under `dir`, read as text; sockets and the like are passed over. */
async function filesUnder(dir: string): Promise<string[]> {
  const texts: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) texts.push(await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return texts;
}

test('the secret is in process.env of the function only: not in docker inspect, the process environment or the sandbox files', async (t) => {
  const secret = `sk-${randomUUID()}`;
  const app = await runtime.load(await copyFixtureApp('configured'), { secrets: { API_KEY: secret } });
  const { env, host } = output(await runtime.invoker.invoke(app, 'env', null));
  t.is(env.API_KEY, secret);

  const docker = await ensureEngine();
  const inspected = await docker.getContainer(host).inspect();
  t.true(inspected.Id.startsWith(host), 'the function ran in the container it names');
  t.false(JSON.stringify(inspected).includes(secret), 'docker inspect shows the secret');
  t.false(
    (inspected.Config.Env ?? []).some((entry) => /^(API_KEY|GREETING|MODE)=/.test(entry)),
    `the container's Env holds the app's variables: ${inspected.Config.Env}`,
  );

  const environ: string[] = output(await runtime.invoker.invoke(app, 'environ', null));
  t.false(
    environ.some((entry) => entry.includes(secret) || entry.startsWith('GREETING=')),
    `the process environment: ${environ.join(' ')}`,
  );

  const files = await filesUnder(runDir);
  t.true(files.length > 0, 'the sandbox folder has the app files');
  t.false(
    files.some((text) => text.includes(secret)),
    'a file of the sandbox holds the secret',
  );
});
