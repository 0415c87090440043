/**
 * Ports of typical serverless benchmark functions (HTML from a template, compression, a thumbnail with sharp, a
 * nested array sum through ctx.call, a Lambda handler, an OpenWhisk action, a CommonJS module), each run unchanged
 * through `edgecourier run` (Docker), `run --local`, the courier and the cloud (deployed with the CLI and
 * test-invoked), and compared with plain node running it as its home platform does; the Lambda API handler also
 * answers over HTTP behind an endpoint, as behind API Gateway's proxy integration.
 */
import test from 'ava';
import { runCli } from '../helpers/cli.ts';
import { readFileSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCourier, type RunningCourier } from '../../courier/main.ts';
import { startCloud, type RunningCloud } from '../../cloud/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { dropRequest, waitForResult } from '../helpers/courier.ts';
import { installedCopy, runPlain, type HomePlatform } from '../helpers/plain-node.ts';
import { fixturesDir } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';

const portsDir = join(fixturesDir, 'ports');

interface Port {
  app: string;
  fn: string;
  platform: HomePlatform;
  input: unknown;
}

/** The Lambda API port echoes its request id, which differs by design from run to run: it must be there. */
const withoutRequestId = (output: unknown) => {
  const { headers, ...rest } = output as { headers: Record<string, string> };
  const { ['x-request-id']: id, ...others } = headers;
  return { ...rest, headers: others, requestIdSet: typeof id === 'string' && id.length > 0 };
};

const ports = JSON.parse(readFileSync(join(portsDir, 'ports.json'), 'utf8')) as Port[];

/** What plain node answers for each port, computed once for the file. */
const plain = new Map<string, Promise<unknown>>();
let root: string;
let courier: RunningCourier;
let executor: ExecutorBundle;
let cloud: RunningCloud;
/** The CLI's environment: signed up to the test's cloud, with credentials of its own. */
let cliEnv: NodeJS.ProcessEnv;
/** The cloud apps, deployed once each, by port: what `deploy --start` printed. */
const deployed = new Map<string, Promise<{ endpoints: Array<{ url: string }> }>>();

test.before(async () => {
  for (const port of ports)
    plain.set(
      port.app,
      installedCopy(join(portsDir, port.app)).then((dir) => runPlain(dir, port.fn, port.platform, port.input)),
    );
  const base = await tempFolder('ec-ports');
  root = join(base, 'synced');
  await mkdir(root);
  for (const port of ports) await cp(join(portsDir, port.app), join(root, port.app), { recursive: true });
  executor = await createExecutor({ cacheDir: join(base, 'cache'), prestart: 1 });
  courier = await startCourier({ root, stateDir: join(base, 'state'), settleMs: 300, executor, logger: pino({ level: 'silent' }) });
  cloud = await startCloud({ dataDir: join(base, 'data'), port: 0, host: '127.0.0.1', executor, logger: pino({ level: 'silent' }) });
  cliEnv = {
    ...process.env,
    EDGECOURIER_CREDENTIALS: join(base, 'credentials.json'),
    EDGECOURIER_PASSWORD: 'correct horse battery',
    EDGECOURIER_URL: cloud.url,
  };
  delete cliEnv.EDGECOURIER_TOKEN;
  const signedUp = await run('signup', '--url', cloud.url, '--email', 'ports@example.com');
  if (signedUp.code !== 0) throw new Error(signedUp.stderr);
});

/** Deploys the port's folder as it is, and starts it, once. */
function deployedApp(port: Port) {
  let app = deployed.get(port.app);
  if (!app) {
    app = run('deploy', join(portsDir, port.app), '--start', '--json').then((result) => {
      if (result.code !== 0) throw new Error(`deploy of ${port.app} failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as { endpoints: Array<{ url: string }> };
    });
    deployed.set(port.app, app);
  }
  return app;
}

test.after.always(async () => {
  await cloud?.close();
  await courier?.stop();
  await executor?.executor.close();
});

const run = (...args: string[]) => runCli(args, { env: cliEnv, timeoutMs: 170_000 });

const comparable = (port: Port, output: unknown) => (port.app === 'lambda-api' ? withoutRequestId(output) : output);

for (const port of ports) {
  for (const how of ['run', 'run --local'] as const) {
    test(`${port.app} (${port.platform}): ${how} answers what plain node does`, async (t) => {
      const app = join(await tempFolder('ec-port'), port.app);
      await cp(join(portsDir, port.app), app, { recursive: true });
      const result = await run('run', app, port.fn, '--input', JSON.stringify(port.input), ...(how === 'run --local' ? ['--local'] : []));
      t.is(result.code, 0, result.stderr || result.stdout);
      const response = JSON.parse(result.stdout) as { ok: boolean; output: unknown };
      t.deepEqual(comparable(port, response.output), comparable(port, await plain.get(port.app)));
    });
  }

  test(`${port.app} (${port.platform}): a request dropped in the courier's folder gets what plain node answers`, async (t) => {
    await dropRequest(root, port.app, 'port', { function: port.fn, input: port.input });
    const result = await waitForResult(root, port.app, 'port', 150_000);
    t.true(result.ok, JSON.stringify(result));
    if (result.ok) t.deepEqual(comparable(port, result.output), comparable(port, await plain.get(port.app)));
  });

  test(`${port.app} (${port.platform}): deployed to the cloud and test-invoked, it answers what plain node does`, async (t) => {
    await deployedApp(port);
    const result = await run('invoke', port.app, port.fn, '--input', JSON.stringify(port.input), '--json');
    t.is(result.code, 0, result.stderr || result.stdout);
    t.deepEqual(comparable(port, (JSON.parse(result.stdout) as { output: unknown }).output), comparable(port, await plain.get(port.app)));
  });
}

test('the Lambda API handler behind an endpoint answers over HTTP with its own status, headers and body', async (t) => {
  const app = await deployedApp(ports.find((port) => port.app === 'lambda-api')!);
  const call = (id: string) =>
    fetch(app.endpoints[0]!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { id } }) });
  const found = await call('1');
  t.is(found.status, 200);
  t.is(found.headers.get('content-type'), 'application/json');
  t.truthy(found.headers.get('x-request-id'));
  t.deepEqual(await found.json(), { id: '1', name: 'kettle' });
  const missing = await call('9');
  t.is(missing.status, 404);
  t.deepEqual(await missing.json(), { message: 'no item 9' });
});
