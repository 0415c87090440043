/**
 * @module On real Docker and the host's iptables: an app that declares egress reaches servers outside the host, and
 * private ones only when the operator lets their address through; never the host, the metadata address or other
 * private servers. Without the declaration, no network. The "outside" servers run in containers on a network of the
 * test's own, let through by a test-only allowance of one server's address, the honest way to make a server on this
 * machine count as outside.
 */
import test from 'ava';
import type Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { cliPath } from '../../build/dist.ts';
import { startCloud } from '../../cloud/main.ts';
import { ensureBaseImage } from '../../docker/base-image.ts';
import { EgressNetwork, hostResolvers } from '../../docker/egress-network.ts';
import { egressPolicy, policyChain, type EgressPolicy } from '../../docker/egress-policy.ts';
import { ensureEngine } from '../../docker/engine.ts';
import type { LoadedApp } from '../../runtime/app.ts';
import { buildHarness } from '../../runtime/harness-bundle.ts';
import { copyFixtureApp, fixturesDir, startRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { api } from '../helpers/cloud.ts';
import { removeContainers } from '../helpers/containers.ts';
import { tempFolder } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

const TEST_LABEL = 'edgecourier.test';
const serverCode = `require('node:http').createServer((_, response) => response.end(process.argv[1])).listen(8080)`;

let docker: Docker;
let testNetwork: Docker.Network | undefined;
/** The server the operator lets through, and one on the same network it does not. */
let allowedUrl: string;
let unlistedUrl: string;
let policy: EgressPolicy;
let hostServer: Server;
let hostHits = 0;
let runtime: TestRuntime;
let egressApp: LoadedApp;

/** A server container on the test's network, answering its name; its address once it answers. */
async function startServer(image: string, name: string): Promise<string> {
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['/usr/bin/node'],
    Cmd: ['-e', serverCode, name],
    User: '65534:65534',
    Labels: { [TEST_LABEL]: `egress-${process.pid}` },
    HostConfig: { NetworkMode: testNetwork!.id, ReadonlyRootfs: true, CapDrop: ['ALL'] },
  });
  await container.start();
  const { NetworkSettings } = await container.inspect();
  const url = `http://${Object.values(NetworkSettings.Networks)[0]!.IPAddress}:8080/`;
  // The host reaches containers on a bridge directly, whatever the sandboxes' rules say.
  await waitFor(`the ${name} server answering`, async () => ((await fetch(url)).ok ? true : undefined), { attemptMs: 2000 });
  return url;
}

async function reach(app: LoadedApp, input: unknown): Promise<Record<string, unknown>> {
  const response = await runtime.invoker.invoke(app, 'reach', input);
  if (!response.ok) throw new Error(`reach failed: ${JSON.stringify(response.error)}`);
  return response.output as Record<string, unknown>;
}

async function filterRules(): Promise<string> {
  return (await promisify(execFile)('iptables', ['-w', '-S'])).stdout;
}

async function networkExists(name: string): Promise<boolean> {
  return docker
    .getNetwork(name)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

test.before(async () => {
  docker = await ensureEngine();
  const image = await ensureBaseImage(docker, await buildHarness(join(await tempFolder('ec-egress'), 'harness')));
  testNetwork = await docker.createNetwork({ Name: `ec-egress-test-${process.pid}`, Driver: 'bridge', Labels: { [TEST_LABEL]: 'egress' } });
  allowedUrl = await startServer(image, 'allowed');
  unlistedUrl = await startServer(image, 'unlisted');
  const allowed = `${new URL(allowedUrl).hostname}/32`;
  hostServer = createServer((_, response) => {
    hostHits++;
    response.end('host');
  });
  await new Promise<void>((resolve) => hostServer.listen(0, '0.0.0.0', resolve));
  policy = egressPolicy([allowed], await hostResolvers());
  runtime = await startRuntime({ prestart: 1, egressAllow: [allowed] });
  egressApp = await runtime.load(await copyFixtureApp('egress'));
});

test.after.always(async () => {
  hostServer?.close();
  await runtime?.executor.close();
  if (docker) await removeContainers(docker, await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=egress-${process.pid}`] } }));
  await testNetwork?.remove().catch(() => undefined);
});

test.serial('an app that declares egress reaches a server whose address the operator lets through', async (t) => {
  t.like(await reach(egressApp, { url: allowedUrl }), { reached: true, status: 200, body: 'allowed' });
});

test.serial("it reaches no address of the host: not its egress network's gateway, not docker0, not the host's own addresses, not loopback", async (t) => {
  const port = (hostServer.address() as AddressInfo).port;
  const { IPAM } = await docker.getNetwork(policy.network).inspect();
  const hostAddresses = Object.values(networkInterfaces())
    .flat()
    .filter((info) => info && info.family === 'IPv4')
    .map((info) => info!.address);
  const addresses = [...new Set([IPAM!.Config![0]!.Gateway!, ...hostAddresses])];
  t.true(addresses.length >= 3, `the gateway, loopback and at least one more: ${addresses.join(', ')}`);
  for (const address of addresses) {
    t.like(await reach(egressApp, { url: `http://${address}:${port}/` }), { reached: false }, address);
  }
  t.is(hostHits, 0);
});

test.serial('it does not reach the metadata address 169.254.169.254, nor a private server the operator did not let through: both refuse at once', async (t) => {
  t.like(await reach(egressApp, { url: 'http://169.254.169.254/latest/meta-data/' }), { reached: false, error: 'ECONNREFUSED' });
  t.like(await reach(egressApp, { url: unlistedUrl }), { reached: false, error: 'ECONNREFUSED' });
});

test.serial("it resolves names through Docker's DNS, which asks the host's name servers, private ones too", async (t) => {
  const { resolved } = await reach(egressApp, { lookup: 'registry.npmjs.org' });
  t.regex(String(resolved), /^\d+\.\d+\.\d+\.\d+$/);
});

test.serial('an app without the declaration has no network, not even to the server the operator lets through', async (t) => {
  const dir = await copyFixtureApp('egress');
  await writeFile(join(dir, 'app.json'), '{}\n');
  t.like(await reach(await runtime.load(dir), { url: allowedUrl }), { reached: false });
});

test.serial('an app that drops its declaration loses the network at its next call: it never runs in its sandbox with egress again', async (t) => {
  const dir = await copyFixtureApp('egress');
  t.like(await reach(await runtime.load(dir), { url: allowedUrl }), { reached: true });
  await writeFile(join(dir, 'app.json'), '{ "network": { "egress": false } }\n');
  t.like(await reach(await runtime.load(dir), { url: allowedUrl }), { reached: false });
});

test.serial('a cloud app whose app.json declares egress reaches the server its operator lets through; without the declaration it does not', async (t) => {
  const cloud = await startCloud({
    dataDir: join(await tempFolder('ec-egress-cloud'), 'data'),
    port: 0,
    host: '127.0.0.1',
    executor: runtime.bundle,
    logger: pino({ level: 'silent' }),
  });
  t.teardown(() => cloud.close());
  const credentials = { email: 'egress@example.com', password: 'correct horse battery' };
  await api(cloud.url, 'POST', '/api/v1/accounts', credentials);
  const token = (await api(cloud.url, 'POST', '/api/v1/sessions', credentials)).body.token as string;
  const appId = (await api(cloud.url, 'POST', '/api/v1/apps', { name: 'reacher' }, token)).body.id as string;
  const put = (path: string, text: string) =>
    fetch(`${cloud.url}/api/v1/apps/${appId}/files/${encodeURIComponent(path)}`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: text });
  t.is((await put('functions/reach.js', await readFile(join(fixturesDir, 'apps', 'egress', 'functions', 'reach.js'), 'utf8'))).status, 201);
  const reachFromCloud = async () => {
    const answer = await api(cloud.url, 'POST', `/api/v1/apps/${appId}/functions/reach/invoke`, { input: { url: allowedUrl } }, token);
    return answer.body.output as Record<string, unknown>;
  };
  t.like(await reachFromCloud(), { reached: false });
  t.is((await put('app.json', '{ "network": { "egress": true } }\n')).status, 200);
  t.like(await reachFromCloud(), { reached: true, body: 'allowed' });
});

test.serial('where iptables cannot be run, a call of an app with egress fails EGRESS_UNAVAILABLE saying why, and nothing runs', async (t) => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [cliPath, 'run', await copyFixtureApp('egress'), 'reach', '--input', JSON.stringify({ url: allowedUrl })],
    {
      // The host's iptables lives in /usr/sbin; without it on the PATH, `run` finds none.
      env: { ...process.env, PATH: '/usr/local/bin:/usr/bin:/bin' },
      timeout: 120_000,
    },
  ).catch((error: { stdout: string }) => error);
  const response = JSON.parse(stdout);
  t.like(response, { ok: false, error: { code: 'EGRESS_UNAVAILABLE' } });
  t.regex(response.error.message, /iptables is not installed on this host/);
});

test.serial('an allowance that is not an IPv4 address or range stops a service at its start, saying why', async (t) => {
  const failed = await promisify(execFile)(process.execPath, [cliPath, 'courier', '--root', await tempFolder('ec-root'), '--egress-allow', 'fd00::/8']).catch(
    (error: { code: number; stderr: string }) => error,
  );
  t.like(failed, { code: 1 });
  t.regex((failed as { stderr: string }).stderr, /--egress-allow.*IPv4 only/s);
});

test.serial('an executor that starts removes the egress network and rules a crashed process left; one that closes removes its own', async (t) => {
  // A process killed after making its network and rules leaves them so: it never closes.
  const crashed = new EgressNetwork({ docker, allow: ['192.0.2.77/32'] });
  await crashed.ensure();
  const left = await crashed.policy();
  t.true(await networkExists(left.network));
  t.true((await filterRules()).includes(`-N ${left.chain}`));
  const next = await startRuntime({ prestart: 0 });
  t.false(await networkExists(left.network), 'the network is gone');
  t.false((await filterRules()).includes(left.chain), 'its rules are gone');
  t.true(await networkExists(policy.network), "a live executor's network, with its sandboxes on it, stays");
  await next.executor.close();

  await runtime.executor.close();
  t.false(await networkExists(policy.network));
  t.false((await filterRules()).includes(policyChain(policy.id)));
});
