/**
 * @module The Swarm path on real Docker against the real cloud: a service's replicas set 1 -> 2 -> 0, its couriers
 * serving a local root; a courier slow to start (as on a busy host) is waited for, and a scale that cannot finish says why.
 */
import test from 'ava';
import type Docker from 'dockerode';
import { readdir, rm } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureEngine } from '../../docker/engine.ts';
import { BASE_IMAGE_NODE } from '../../docker/base-image.ts';
import { SERVICE_ENTRYPOINT } from '../../deploy/service-config.ts';
import { ensureServiceImages } from '../../deploy/service-images.ts';
import { sendTar } from '../../docker/tar.ts';
import {
  SWARM_LABEL,
  SWARM_SERVICE,
  ensureSwarm,
  listSwarmCouriers,
  removeSwarmCouriers,
  scaleSwarmCouriers,
  type SwarmScaleOptions,
} from '../../deploy/swarm-fleet.ts';
import { api } from '../helpers/cloud.ts';
import { startFleetCloud, type FleetCloud } from '../helpers/fleet-cloud.ts';
import { dropRequest, makeRoot, sleep, waitForResult } from '../helpers/courier.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until as waitUntil } from '../helpers/wait.ts';

let docker: Docker;
let swarmCreated = false;
let dir: string;
let cloud: FleetCloud;
let cloudUrl: string;
let token: string;
let root: string;
let service: Omit<SwarmScaleOptions, 'count'>;
const progress: string[] = [];
/** Images built from the courier's for the tests below, removed at the end. */
const builtImages: string[] = [];

test.before(async () => {
  docker = await ensureEngine();
  swarmCreated = (await ensureSwarm(docker)).created;
  dir = await tempFolder('ec-swarm');
  cloud = await startFleetCloud(dir, 2000);
  ({ url: cloudUrl, token } = cloud);
  root = (await makeRoot('basic')).root;
  await cloud.addRoot(root);
  const { courier } = await ensureServiceImages(docker);
  const shared = dirname(root);
  service = {
    cloudUrl: `http://${hostAddress()}:${cloud.port}`,
    token,
    image: courier,
    hostFolder: join(dir, 'fleet'),
    extraBinds: [`${shared}:${shared}`],
    log: (line) => progress.push(line),
  };
});

/** A non-loopback address of this host: a task's container reaches the cloud listening on every address through it. */
function hostAddress(): string {
  const found = Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal);
  if (!found) throw new Error('this host has no non-loopback IPv4 address for the tasks to reach the cloud by');
  return found.address;
}

test.after.always(async () => {
  if (docker) await removeSwarmCouriers(docker).catch(() => undefined);
  if (swarmCreated) await docker.swarmLeave({ force: true });
  await Promise.all(
    builtImages.map((image) =>
      docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  await cloud?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function registered(): Promise<Array<{ name: string; roots: string[] }>> {
  return (await api(cloudUrl, 'GET', '/api/v1/fleet/couriers', undefined, token)).body.couriers;
}

async function taskContainers(): Promise<string[]> {
  return (await docker.listContainers({ all: true, filters: { label: [`${SWARM_LABEL}=${SWARM_SERVICE}`] } })).map((info) => info.Id);
}

/** Every task container's log: what a failed wait shows, and where answers are counted (one JSON line per answer). */
async function taskLogs(tail?: number): Promise<string[]> {
  return Promise.all(
    (await taskContainers()).map(async (id) => (await docker.getContainer(id).logs({ stdout: true, stderr: true, ...(tail ? { tail } : {}) })).toString()),
  );
}

function until(what: string, ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  return waitUntil(what, ready, { timeoutMs, everyMs: 200, explain: async () => `Task logs end:\n${(await taskLogs(15)).join('\n---\n')}` });
}

test.serial('scaling the service 1 -> 2 runs two registered couriers, and a dropped request gets exactly one result', async (t) => {
  let begun = Date.now();
  t.like(await scaleSwarmCouriers(docker, { ...service, count: 1 }), { service: SWARM_SERVICE, replicas: 1, created: true });
  t.true(progress.includes('1/1 running'));
  await until('one courier registered', async () => (await registered()).length === 1);
  t.log(`0 -> 1 until registered: ${Date.now() - begun} ms`);
  begun = Date.now();
  t.like(await scaleSwarmCouriers(docker, { ...service, count: 2 }), { replicas: 2, created: false });
  t.true(progress.includes('2/2 running'));
  t.is((await listSwarmCouriers(docker)).filter((task) => task.state === 'running').length, 2);
  await until('two couriers registered, one serving the root', async () => {
    const couriers = await registered();
    return couriers.length === 2 && couriers.flatMap((courier) => courier.roots).length === 1;
  });
  t.log(`1 -> 2 until both registered: ${Date.now() - begun} ms`);
  t.is(new Set((await registered()).map((courier) => courier.name)).size, 2, 'each task registers under its own host name');

  await dropRequest(root, 'basic', 'swarm-1', { function: 'greet', input: { name: 'swarm' } });
  const result = await waitForResult(root, 'basic', 'swarm-1', 30_000);
  t.true(result.ok, JSON.stringify(result));
  // A pending file shown while it ran goes right after the result is written.
  await waitUntil('the results folder holding only the result', async () => (await readdir(join(root, 'basic', 'results'))).join() === 'swarm-1.json');
  await sleep(1000);
  const answers = (await taskLogs()).flatMap((log) => log.split('\n')).filter((line) => line.includes('"msg":"request"') && line.includes('"id":"swarm-1"'));
  t.is(answers.length, 1);

  const spec = (await docker.getService(SWARM_SERVICE).inspect()).Spec;
  t.is(spec.Mode.Replicated.Replicas, 2);
  t.true(spec.TaskTemplate.ContainerSpec.Init);
  t.false(JSON.stringify(spec.TaskTemplate.ContainerSpec.Args).includes(token), 'the token is not on the command line');
  t.false(JSON.stringify(spec.TaskTemplate.ContainerSpec.Env).includes(token), 'nor in the environment');
  t.false(JSON.stringify(spec).includes(token), 'nor anywhere in the service spec');
  const [secret] = spec.TaskTemplate.ContainerSpec.Secrets;
  t.like(secret, { File: { Name: 'edgecourier-token', Mode: 0o400 } });
  t.truthy(await docker.getSecret(secret.SecretID).inspect(), 'it is a Docker secret');
  t.false(
    progress.some((line) => line.includes(token)),
    'the token is never logged',
  );
});

test.serial('scaling to 0 stops every task and the couriers deregister; removing leaves no container', async (t) => {
  const begun = Date.now();
  await scaleSwarmCouriers(docker, { ...service, count: 0 });
  t.log(`2 -> 0: ${Date.now() - begun} ms`);
  t.true(progress.includes('0/0 running'));
  await until('no courier registered', async () => (await registered()).length === 0, 10_000);
  t.true(await removeSwarmCouriers(docker));
  t.deepEqual(await taskContainers(), []);
  t.deepEqual(await docker.listSecrets({ filters: { label: [`${SWARM_LABEL}=${SWARM_SERVICE}`] } }), [], 'the token secret went with the service');
  t.false(await removeSwarmCouriers(docker), 'a second removal finds no service');
});

/** The courier image with another entrypoint in front of the real one: `script` runs first, with the same arguments. */
async function courierVariant(tag: string, script: string): Promise<string> {
  const ref = `edgecourier-test-${tag}:${Date.now()}`;
  const dockerfile = [`FROM ${service.image}`, 'COPY entry.mjs /entry.mjs', `ENTRYPOINT ${JSON.stringify([BASE_IMAGE_NODE, '/entry.mjs'])}`].join('\n');
  const entries = [
    { path: 'Dockerfile', mode: 0o644, data: Buffer.from(`${dockerfile}\n`) },
    { path: 'entry.mjs', mode: 0o644, data: Buffer.from(script) },
  ];
  await sendTar(docker, entries, (tar) => docker.buildImage(tar, { t: ref, rm: true, forcerm: true }));
  builtImages.push(ref);
  return ref;
}

async function failedTasks(): Promise<string[]> {
  const tasks = await docker.listTasks({ filters: { service: [SWARM_SERVICE] } });
  return tasks.filter((task) => ['failed', 'rejected'].includes(task.Status?.State)).map((task) => `${task.Status.State}: ${task.Status.Err}`);
}

test.serial('a courier that takes 15 s to start, as on a busy host, is waited for and not killed as unhealthy', async (t) => {
  // Three failed probes (about 6 s) used to make Swarm kill each task before its courier listened, forever.
  const image = await courierVariant(
    'slow-courier',
    [
      'await new Promise((resolve) => setTimeout(resolve, 15_000));',
      `process.argv[1] = ${JSON.stringify(SERVICE_ENTRYPOINT[1])};`,
      `await import(${JSON.stringify(SERVICE_ENTRYPOINT[1])});`,
    ].join('\n'),
  );
  const begun = Date.now();
  const lines: string[] = [];
  await scaleSwarmCouriers(docker, { ...service, image, count: 1, timeoutMs: 80_000, log: (line) => lines.push(line) });
  t.log(`0 -> 1 with a 15 s start: ${Date.now() - begun} ms`);
  t.true(Date.now() - begun >= 15_000, 'the task ran only once its courier answered');
  t.deepEqual(await failedTasks(), [], 'no task was killed on the way');
  t.false(
    lines.some((line) => line.includes('Swarm starts another')),
    lines.join('\n'),
  );
  await until('the slow courier registered', async () => (await registered()).length === 1);
  t.true(await removeSwarmCouriers(docker));
});

test.serial('a scale whose tasks keep failing ends with their reason, not only a count', async (t) => {
  const image = await courierVariant('failing-courier', 'process.exit(3);');
  const lines: string[] = [];
  const error = await t.throwsAsync(scaleSwarmCouriers(docker, { ...service, image, count: 2, timeoutMs: 8000, log: (line) => lines.push(line) }));
  t.regex(error!.message, /^0\/2 couriers of edgecourier-couriers running after 8 s: .*failed and were replaced: .*non-zero exit \(3\)/);
  t.true(
    lines.some((line) => /slot \d\) failed: .*non-zero exit \(3\).*; Swarm starts another/.test(line)),
    lines.join('\n'),
  );
  t.true(await removeSwarmCouriers(docker));
});
