/** A courier serving folders for others installs their dependencies from the registry only: a package whose own dependency is a URL fails, fetching nothing. */
import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCourier, type RunningCourier } from '../../courier/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { dropRequest, makeRoot, waitForResult, type TempRoot } from '../helpers/courier.ts';
import { startLocalRegistry, type LocalRegistry } from '../helpers/local-registry.ts';
import { startNetworkProbes, type NetworkProbes } from '../helpers/network-probes.ts';
import { tempFolder } from '../helpers/temp.ts';

let probes: NetworkProbes;
let registry: LocalRegistry;
let temp: TempRoot;
let executor: ExecutorBundle;
let running: RunningCourier;

test.before(async () => {
  probes = await startNetworkProbes();
  registry = await startLocalRegistry({ 'evil-url': { dependencies: { x: probes.httpUrl('/x.tgz') } } });
  process.env.npm_config_registry = registry.url;
  process.env.npm_config_cache = await tempFolder('ec-npm-cache');
  temp = await makeRoot();
  const app = join(temp.root, 'evil');
  await mkdir(join(app, 'functions'), { recursive: true });
  await writeFile(join(app, 'functions', 'hi.js'), 'export default () => "hi";');
  await writeFile(join(app, 'package.json'), JSON.stringify({ dependencies: { 'evil-url': '^1.0.0' } }));
  executor = await createExecutor({ local: true, cacheDir: join(temp.state, '..', 'cache') });
  running = await startCourier({ root: temp.root, stateDir: temp.state, settleMs: 200, hostedFor: 'others', executor, logger: pino({ level: 'silent' }) });
});

test.after.always(async () => {
  await running?.stop();
  await executor?.executor.close();
  await registry?.close();
  probes?.close();
});

test('a registry package whose own dependency is a URL fails the request with what it tried to reach, and the URL is never fetched', async (t) => {
  await dropRequest(temp.root, 'evil', 'one', { function: 'hi' });
  const result = await waitForResult(temp.root, 'evil', 'one', 120_000);
  t.like(result, { ok: false, error: { code: 'DEPENDENCY_INSTALL_FAILED' } });
  t.regex(
    result.ok ? '' : result.error.message,
    /a dependency tried to reach something other than the npm registry \(.*\): http:\/\/127\.0\.0\.1:\d+\/x\.tgz\./,
  );
  t.deepEqual(probes.hits, []);
});
