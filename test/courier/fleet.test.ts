/** Fleet couriers against the real cloud on real Docker: roots split between couriers, moved when one stops, let go before a lease can end. */
import test from 'ava';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { cloudClient } from '../../cli/cloud-client.ts';
import type { Assignment, FleetTransport } from '../../courier/fleet-client.ts';
import { startFleetCourier, type FleetCourier } from '../../courier/fleet.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { dropRequest, makeRoot, sleep, waitForResult } from '../helpers/courier.ts';
import { api } from '../helpers/cloud.ts';
import { startFleetCloud, type FleetCloud } from '../helpers/fleet-cloud.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until as waitUntil } from '../helpers/wait.ts';

const leaseMs = 1500;
let base: string;
let executor: ExecutorBundle;
let fleet: FleetCloud;
/** The operator's API token: it registers roots and runs the couriers. */
let token: string;

test.before(async () => {
  base = await tempFolder('ec-fleet');
  executor = await createExecutor({ cacheDir: join(base, 'cache'), prestart: 1 });
  fleet = await startFleetCloud(base, leaseMs, { executor, host: '127.0.0.1' });
  ({ token } = fleet);
});

test.after.always(async () => {
  await fleet?.close();
  await executor?.executor.close();
});

/** A logger keeping its lines, to count answers and to look for secrets. */
function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }) };
}

/** Registers a root as the operator; the test deletes it when done, so no later test's courier picks it up. */
async function addRoot(t: { teardown(fn: () => Promise<unknown>): void }, root: Record<string, unknown>): Promise<string> {
  const { status, body } = await api(fleet.url, 'POST', '/api/v1/roots', root, token);
  if (status !== 201) throw new Error(`root not created: ${status} ${JSON.stringify(body)}`);
  t.teardown(() => api(fleet.url, 'DELETE', `/api/v1/roots/${body.id}`, undefined, token));
  return body.id as string;
}

/** A fleet courier on `transport` (the real client unless given), stopped when the test ends. */
async function fleetCourier(
  t: { teardown(fn: () => Promise<unknown>): void },
  name: string,
  logger: Logger,
  stateDir: string,
  transport: FleetTransport = cloudClient(fleet.url, token),
): Promise<FleetCourier> {
  const courier = await startFleetCourier({ cloud: transport, name, stateDir, executor, logger, tuning: { settleMs: 200 } });
  // Stopping twice only deregisters twice, which the cloud refuses harmlessly.
  t.teardown(() => courier.stop());
  return courier;
}

const answers = (lines: Array<Record<string, unknown>>, id: string) => lines.filter((line) => line.msg === 'request' && line.id === id).length;

test.serial('two couriers split two roots, and a stopped courier hands its root over without running a request twice', async (t) => {
  const { logger, lines } = capturingLogger();
  // One state folder for the fleet: a root's journal moves with it.
  const stateDir = join(base, 'fleet-state');
  // Both couriers are live before the roots exist: the cloud hands free roots to the courier with the fewest.
  const couriers = [await fleetCourier(t, 'one', logger, stateDir), await fleetCourier(t, 'two', logger, stateDir)];
  const [first, second] = [await makeRoot('basic'), await makeRoot('basic')];
  const ids = [await addRoot(t, { kind: 'local', path: first.root }), await addRoot(t, { kind: 'local', path: second.root })];
  const folders = new Map([
    [ids[0]!, first.root],
    [ids[1]!, second.root],
  ]);
  await waitUntil('each courier serves one root', () => couriers.every((courier) => courier.serving().length === 1));
  t.deepEqual(couriers.flatMap((courier) => courier.serving()).sort(), [...ids].sort());

  for (const root of folders.values()) await dropRequest(root, 'basic', 'hello', { function: 'greet', input: { name: 'fleet' } });
  for (const root of folders.values()) {
    const result = await waitForResult(root, 'basic', 'hello');
    t.true(result.ok, JSON.stringify(result));
  }

  const [leaving, staying] = couriers as [FleetCourier, FleetCourier];
  const moving = leaving.serving()[0]!;
  const folder = folders.get(moving)!;
  await dropRequest(folder, 'basic', 'in-flight', { function: 'slow', input: { ms: 800 } });
  // Long enough for the watcher to see it: running or still queued, it must be answered once either way.
  await sleep(300);
  const stopping = leaving.stop();
  await dropRequest(folder, 'basic', 'while-moving', { function: 'greet', input: { name: 'moving' } });
  await stopping;
  t.deepEqual(leaving.serving(), []);
  await waitUntil('the other courier takes the root over', () => staying.serving().length === 2, { timeoutMs: leaseMs * 4 });
  t.true((await waitForResult(folder, 'basic', 'in-flight')).ok);
  t.true((await waitForResult(folder, 'basic', 'while-moving')).ok);
  // Let the courier that took over work through the root, then count: every request answered once.
  await sleep(1000);
  t.is(answers(lines, 'hello'), 2);
  t.is(answers(lines, 'in-flight'), 1);
  t.is(answers(lines, 'while-moving'), 1);
});

test.serial(
  'one courier serving two roots with the same app, byte for byte, runs them in separate sandboxes: no /tmp, module state or container shared',
  async (t) => {
    const { logger } = capturingLogger();
    const courier = await fleetCourier(t, 'both', logger, join(base, 'both-state'));
    const [tenantA, tenantB] = [await makeRoot('tenant'), await makeRoot('tenant')];
    const ids = [await addRoot(t, { kind: 'local', path: tenantA.root }), await addRoot(t, { kind: 'local', path: tenantB.root })];
    await waitUntil('the courier serves both roots', () => ids.every((id) => courier.serving().includes(id)));
    await dropRequest(tenantA.root, 'tenant', 'plant', { function: 'peek', input: { secret: 'secret-of-tenant-a' } });
    const planted = await waitForResult(tenantA.root, 'tenant', 'plant');
    t.like(planted, { ok: true, output: { calls: 1 } });
    await dropRequest(tenantB.root, 'tenant', 'look', { function: 'peek', input: {} });
    const looked = await waitForResult(tenantB.root, 'tenant', 'look');
    t.true(looked.ok, JSON.stringify(looked));
    if (!looked.ok || !planted.ok) return;
    const [a, b] = [planted.output, looked.output] as Array<{ tmp: string[]; calls: number; host: string }>;
    t.false(b!.tmp.includes('secret-of-tenant-a'), `tenant B saw /tmp: ${JSON.stringify(b!.tmp)}`);
    t.is(b!.calls, 1, "tenant B's call ran on a fresh module, not tenant A's");
    t.not(b!.host, a!.host, 'the two roots ran in different containers');
  },
);

test.serial(
  "a fleet courier installs an app's registry and in-folder packages, and refuses a URL or git dependency, in package.json, a lock or an in-folder package, without fetching it",
  async (t) => {
    let hits = 0;
    const server = createServer((_, response) => {
      hits++;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => server.close());
    const { logger } = capturingLogger();
    const courier = await fleetCourier(t, 'installs', logger, join(base, 'installs-state'));
    const { root } = await makeRoot('with-dep', 'basic');
    const id = await addRoot(t, { kind: 'local', path: root });
    await waitUntil('the courier serves the root', () => courier.serving().includes(id));
    await dropRequest(root, 'with-dep', 'local-package', { function: 'shout', input: { text: 'kept' } });
    t.true((await waitForResult(root, 'with-dep', 'local-package')).ok, 'a file: package inside the app still installs');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/probe.tgz`;
    const app = join(root, 'basic');
    await mkdir(join(app, 'inner'));
    await writeFile(join(app, 'inner', 'package.json'), JSON.stringify({ name: 'inner', version: '1.0.0', dependencies: { probe: url } }));
    // Never unpacked: its own package.json could name anything.
    await writeFile(join(app, 'packed.tgz'), 'not read');
    const lock = { lockfileVersion: 3, packages: { '': { dependencies: { probe: '^1.0.0' } }, 'node_modules/probe': { version: '1.0.0', resolved: url } } };
    const cases: Array<[string, object, object | undefined, RegExp]> = [
      ['url', { probe: url }, undefined, /"probe".*fleet courier may name registry packages/],
      [
        'git',
        { probe: `git+http://127.0.0.1:${(server.address() as AddressInfo).port}/leak.git` },
        undefined,
        /"probe".*fleet courier may name registry packages/,
      ],
      ['lock', { probe: '^1.0.0' }, lock, /package-lock\.json: "resolved" of "node_modules\/probe".*not a tarball of the npm registry/],
      ['nested', { inner: 'file:./inner' }, undefined, /the package\.json of "inner".*"probe"/],
      ['tarball', { packed: 'file:./packed.tgz' }, undefined, /"packed".*is a tarball/],
    ];
    for (const [request, dependencies, packageLock, message] of cases) {
      await writeFile(join(app, 'package.json'), JSON.stringify({ dependencies }));
      await rm(join(app, 'package-lock.json'), { force: true });
      if (packageLock) await writeFile(join(app, 'package-lock.json'), JSON.stringify(packageLock));
      await dropRequest(root, 'basic', request, { function: 'greet', input: { name: 'x' } });
      const result = await waitForResult(root, 'basic', request);
      t.like(result, { ok: false, error: { code: 'DEPENDENCY_NOT_ALLOWED' } }, request);
      if (!result.ok) t.regex(result.error.message, message, request);
    }
    t.is(hits, 0, 'nothing was fetched from the host network');
  },
);

test.serial('a courier whose heartbeats fail lets its root go before the lease ends', async (t) => {
  const { logger } = capturingLogger();
  const client = cloudClient(fleet.url, token);
  let down = false;
  let leaseEnds = 0;
  const transport: FleetTransport = {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      if (down) throw new Error('the network is down');
      const answer = await client.request<{ assignments?: Assignment[] }>(method, path, body);
      for (const assignment of answer?.assignments ?? []) leaseEnds = Date.parse(String(assignment.leaseExpiresAt));
      return answer as T;
    },
    putBytes: (path, bytes) => client.putBytes(path, bytes),
  };
  const { root } = await makeRoot('basic');
  const id = await addRoot(t, { kind: 'local', path: root });
  const courier = await fleetCourier(t, 'flaky', logger, join(base, 'flaky-state'), transport);
  await waitUntil('the courier serves the root', () => courier.serving().includes(id));
  down = true;
  await waitUntil('the courier lets the root go', () => courier.serving().length === 0, { timeoutMs: leaseMs * 2 });
  t.true(Date.now() < leaseEnds, 'let go before the lease ended');
  down = false;
});

test.serial('a root that cannot start is not served, and its credentials never reach the log', async (t) => {
  const { logger, lines } = capturingLogger();
  const secret = `secret-${process.pid}-refresh-token`;
  const missing = await addRoot(t, { kind: 'local', path: join(base, 'no-such-folder') });
  const broken = await addRoot(t, { kind: 'dropbox', path: '/edge', credentials: { DROPBOX_REFRESH_TOKEN: secret } });
  const courier = await fleetCourier(t, 'unlucky', logger, join(base, 'unlucky-state'));
  const failed = (rootId: string) =>
    lines.some((line) => line.rootId === rootId && line.msg === 'could not serve a root; the cloud will hand it to another courier');
  await waitUntil('both roots failed to start', () => failed(missing) && failed(broken));
  await sleep(leaseMs);
  t.deepEqual(courier.serving(), []);
  t.false(JSON.stringify(lines).includes(secret));
});
