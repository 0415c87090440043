/** A `timeoutMs` over the operator's maximum is one INVALID_APP, in the same words, for `run`, `run --local`, the courier and the cloud. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { startCourier } from '../../courier/main.ts';
import { createExecutor } from '../../docker/executor-factory.ts';
import { api, freshEmail, startTestCloud } from '../helpers/cloud.ts';
import { dropRequest, makeRoot, waitForResult } from '../helpers/courier.ts';
import { copyFixtureApp } from '../helpers/runtime.ts';

const cli = fileURLToPath(new URL('../../dist/edgecourier.js', import.meta.url));
const words = "functions.greet.timeoutMs is 90000 ms, over the operator's maximum of 60000 ms";
const appJson = '{ "functions": { "greet": { "timeoutMs": 90000 } } }';

async function run(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await promisify(execFile)(process.execPath, [cli, ...args], { timeout: 120_000 });
    return { code: 0, stderr };
  } catch (error) {
    return error as { code: number; stderr: string };
  }
}

for (const local of [false, true]) {
  test(`run${local ? ' --local' : ''} refuses the app with INVALID_APP naming the value and the maximum`, async (t) => {
    const app = await copyFixtureApp('basic');
    await writeFile(join(app, 'app.json'), appJson);
    const result = await run('run', app, 'greet', ...(local ? ['--local'] : []), '--input', '{"name":"x"}');
    t.is(result.code, 1);
    t.is(result.stderr.trim(), `edgecourier: INVALID_APP: ${words}`);
  });
}

test('the courier answers a request to such an app with INVALID_APP in the same words', async (t) => {
  const temp = await makeRoot('basic');
  await writeFile(join(temp.root, 'basic', 'app.json'), appJson);
  const executor = await createExecutor({ local: true, cacheDir: join(temp.state, '..', 'cache') });
  const running = await startCourier({ root: temp.root, stateDir: temp.state, executor, logger: pino({ level: 'silent' }) });
  t.teardown(async () => {
    await running.stop();
    await executor.executor.close();
  });
  await dropRequest(temp.root, 'basic', 'slow', { function: 'greet', input: { name: 'x' } });
  const result = await waitForResult(temp.root, 'basic', 'slow');
  t.deepEqual(result.ok ? result : result.error, { code: 'INVALID_APP', message: words });
});

test('the cloud refuses such a function with 422 INVALID_APP in the same words', async (t) => {
  const cloud = await startTestCloud({ smtp: false });
  t.teardown(() => cloud.close());
  const credentials = { email: freshEmail('limits'), password: 'correct horse battery' };
  await api(cloud.url, 'POST', '/api/v1/accounts', credentials);
  const { token } = (await api(cloud.url, 'POST', '/api/v1/sessions', credentials)).body as { token: string };
  const app = await api(cloud.url, 'POST', '/api/v1/apps', { name: 'limits' }, token);
  const put = await api(cloud.url, 'PUT', `/api/v1/apps/${app.body.id}/functions/greet`, { code: 'export default () => 1', timeoutMs: 90000 }, token);
  t.is(put.status, 422);
  t.deepEqual(put.body, { error: { code: 'INVALID_APP', message: words } });
});
