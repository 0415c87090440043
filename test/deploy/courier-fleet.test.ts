/** @module A courier fleet of containers on real Docker against the real cloud: scaled up, scaled down without losing a root, removed. */
import test from 'ava';
import type Docker from 'dockerode';
import { readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FLEET_NAME_LABEL, listCouriers, removeCouriers, scaleCouriers, type ScaleOptions } from '../../deploy/courier-fleet.ts';
import { ensureEngine } from '../../docker/engine.ts';
import { ensureServiceImages } from '../../deploy/service-images.ts';
import { api } from '../helpers/cloud.ts';
import { startFleetCloud, type FleetCloud } from '../helpers/fleet-cloud.ts';
import { dropRequest, makeRoot, sleep, waitForResult } from '../helpers/courier.ts';
import { bridgeAddress } from '../../deploy/bridge-address.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until as waitUntil } from '../helpers/wait.ts';
import { removeContainers } from '../helpers/containers.ts';

let docker: Docker;
let base: string;
let cloud: FleetCloud;
let token: string;
let root: string;
/** What every scale call shares: the cloud as the containers reach it, the image and the folders. */
let fleet: Omit<ScaleOptions, 'count'>;
const logged: string[] = [];

test.before(async () => {
  docker = await ensureEngine();
  base = await tempFolder('ec-couriers');
  cloud = await startFleetCloud(base, 2000);
  token = cloud.token;
  root = (await makeRoot('basic')).root;
  await cloud.addRoot(root);
  const gateway = await bridgeAddress(docker);
  const { courier } = await ensureServiceImages(docker);
  const parent = dirname(root);
  fleet = {
    cloudUrl: `http://${gateway}:${cloud.port}`,
    token,
    image: courier,
    hostFolder: join(base, 'fleet'),
    extraBinds: [`${parent}:${parent}`],
    log: (line) => logged.push(line),
  };
});

test.after.always(async () => {
  const left = await docker?.listContainers({ all: true, filters: { label: [`${FLEET_NAME_LABEL}=edgecourier`] } });
  await removeContainers(docker, left ?? []);
  await cloud?.close();
  if (base) await rm(base, { recursive: true, force: true });
});

async function registered(): Promise<Array<{ name: string; roots: string[] }>> {
  const { body } = await api(cloud.url, 'GET', '/api/v1/fleet/couriers', undefined, token);
  return body.couriers;
}

/** The end of every courier's log, to say why a wait failed. */
async function fleetLogs(): Promise<string> {
  const logs = (await listCouriers(docker)).map(
    async (courier) =>
      `${courier.name} (${courier.state}):\n${(await docker.getContainer(courier.name).logs({ stdout: true, stderr: true, tail: 15 })).toString()}`,
  );
  return (await Promise.all(logs)).join('\n');
}

function until(what: string, ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  return waitUntil(what, ready, { timeoutMs, everyMs: 200, explain: async () => `The couriers' logs end:\n${await fleetLogs()}` });
}

/** How many times any courier container logged answering request `id`: its JSON log has one line per answer. */
async function answers(id: string): Promise<number> {
  let count = 0;
  for (const courier of await listCouriers(docker)) {
    const log = (await docker.getContainer(courier.name).logs({ stdout: true, stderr: true })).toString();
    count += log.split('\n').filter((line) => line.includes('"msg":"request"') && line.includes(`"id":"${id}"`)).length;
  }
  return count;
}

async function answered(id: string): Promise<void> {
  await dropRequest(root, 'basic', id, { function: 'greet', input: { name: id } });
  const result = await waitForResult(root, 'basic', id, 30_000);
  if (!result.ok) throw new Error(`${id}: ${JSON.stringify(result)}`);
}

test.serial('scaling 0 -> 2 starts two couriers that register, and a dropped request gets exactly one result', async (t) => {
  const begun = Date.now();
  const { created, removed } = await scaleCouriers(docker, { ...fleet, count: 2 });
  t.deepEqual(created, ['edgecourier-courier-1', 'edgecourier-courier-2']);
  t.deepEqual(removed, []);
  await until('two couriers registered', async () => (await registered()).length === 2);
  t.log(`0 -> 2 until both registered: ${Date.now() - begun} ms`);
  await answered('first');
  // The pending file of a slow first call goes right after the result is written.
  await until('the results folder holds the result alone', async () => (await readdir(join(root, 'basic', 'results'))).join() === 'first.json');
  await sleep(1000);
  t.is(await answers('first'), 1);
  const inspected = await docker.getContainer('edgecourier-courier-1').inspect();
  t.false(JSON.stringify(inspected).includes(token), 'the token is nowhere in the container spec: not its command line, not its environment');
  const tokenFile = join(fleet.hostFolder!, 'secrets', 'edgecourier', 'courier-token');
  t.is((await stat(tokenFile)).mode & 0o777, 0o600, 'the token file is private');
  t.is((await stat(join(tokenFile, '..'))).mode & 0o777, 0o700);
  t.is(inspected.HostConfig.RestartPolicy?.Name, 'unless-stopped');
  t.true(inspected.HostConfig.Init);
  t.false(
    logged.some((line) => line.includes(token)),
    'the token is never logged',
  );
});

test.serial('scaling 2 -> 1 stops the highest-numbered courier, and the one left serves the root', async (t) => {
  const begun = Date.now();
  const { created, removed } = await scaleCouriers(docker, { ...fleet, count: 1 });
  t.log(`2 -> 1: ${Date.now() - begun} ms`);
  t.deepEqual([created, removed], [[], ['edgecourier-courier-2']]);
  t.true(logged.includes('stopped edgecourier-courier-2'));
  t.deepEqual(
    (await listCouriers(docker)).map((courier) => courier.name),
    ['edgecourier-courier-1'],
  );
  await until('one courier registered, serving the root', async () => {
    const couriers = await registered();
    return couriers.length === 1 && couriers[0]!.roots.length === 1;
  });
  await answered('second');
  // The log line follows the result: it is written once the journal has recorded the request as done.
  await sleep(1000);
  t.is(await answers('second'), 1);
});

test.serial('rm removes every courier and leaves no container with the fleet label', async (t) => {
  t.deepEqual(await removeCouriers(docker), ['edgecourier-courier-1']);
  t.deepEqual(await docker.listContainers({ all: true, filters: { label: [`${FLEET_NAME_LABEL}=edgecourier`] } }), []);
  await until('no courier registered', async () => (await registered()).length === 0, 5000);
  t.pass();
});

test.serial("scaling to 0 removes the couriers' token file", async (t) => {
  const secrets = join(fleet.hostFolder!, 'secrets', 'edgecourier');
  t.true(
    await stat(join(secrets, 'courier-token')).then(
      () => true,
      () => false,
    ),
    'the token file is there while couriers may use it',
  );
  await scaleCouriers(docker, { ...fleet, count: 0 });
  t.false(
    await stat(secrets).then(
      () => true,
      () => false,
    ),
  );
});
