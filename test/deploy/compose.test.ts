/** @module deploy/compose.yaml on real Docker, with Docker Compose: the cloud, then two couriers that turn healthy, register and answer a request. */
import test from 'ava';
import type Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureEngine } from '../../docker/engine.ts';
import { OWNER_CONTAINER_LABEL } from '../../docker/sandbox-owner.ts';
import { SERVICE_ENTRYPOINT } from '../../deploy/service-config.ts';
import { ensureServiceImages } from '../../deploy/service-images.ts';
import { api, freshEmail } from '../helpers/cloud.ts';
import { dropRequest, waitForResult } from '../helpers/courier.ts';
import { fixturesDir } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until as waitUntil } from '../helpers/wait.ts';
import { removeContainers } from '../helpers/containers.ts';

const composeFile = fileURLToPath(new URL('../../deploy/compose.yaml', import.meta.url));
/** Compose names containers, networks and labels after the project: one of its own, so nothing else is touched. */
const project = `ectest${process.pid}`;
const run = promisify(execFile);

let docker: Docker;
let base: string;
let compose: string[];
let env: NodeJS.ProcessEnv;
let cloudUrl: string;

/** Compose v2 as a docker plugin, else Debian's docker-compose 1.29 (what .ci/run installs). */
async function findCompose(): Promise<string[]> {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const works = await run(command[0]!, [...command.slice(1), 'version']).then(
      () => true,
      () => false,
    );
    if (works) return command;
  }
  throw new Error('no Docker Compose here: install docker-compose (apt-get install -y docker-compose) or the compose plugin');
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function composeRun(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(compose[0]!, [...compose.slice(1), '-p', project, '-f', composeFile, ...args], { env, timeout: 180_000 });
}

test.before(async () => {
  docker = await ensureEngine();
  compose = await findCompose();
  base = await tempFolder('ec-compose');
  const images = await ensureServiceImages(docker);
  const port = await freePort();
  cloudUrl = `http://127.0.0.1:${port}`;
  await mkdir(join(base, 'roots'));
  env = {
    ...process.env,
    EDGECOURIER_CLOUD_IMAGE: images.cloud,
    EDGECOURIER_COURIER_IMAGE: images.courier,
    EDGECOURIER_HOME: join(base, 'home'),
    EDGECOURIER_ROOTS: join(base, 'roots'),
    EDGECOURIER_PORT: String(port),
  };
});

test.after.always(async () => {
  if (compose) await composeRun('down', '--timeout', '20').catch(() => undefined);
  // Couriers stopped with SIGTERM remove their sandboxes; these are only what a failure left.
  const services = await docker?.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
  for (const service of services ?? []) {
    const sandboxes = await docker.listContainers({ all: true, filters: { label: [`${OWNER_CONTAINER_LABEL}=${service.Id}`] } });
    await removeContainers(docker, [...sandboxes, service]);
  }
  if (base) await rm(base, { recursive: true, force: true });
});

async function serviceContainers(service: string): Promise<Docker.ContainerInspectInfo[]> {
  const infos = await docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`] },
  });
  return Promise.all(infos.map((info) => docker.getContainer(info.Id).inspect()));
}

async function until(what: string, ready: () => Promise<boolean>): Promise<void> {
  const explain = async () => {
    const containers = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
    const logs = await Promise.all(
      containers.map(async (info) => `${info.Names[0]}:\n${(await docker.getContainer(info.Id).logs({ stdout: true, stderr: true, tail: 15 })).toString()}`),
    );
    return `The services' logs end:\n${logs.join('\n')}`;
  };
  await waitUntil(what, ready, { timeoutMs: 90_000, everyMs: 500, attemptMs: 5000, explain });
}

test.serial('the compose file starts the cloud, then two couriers that turn healthy, register and answer a request', async (t) => {
  t.log(`compose: ${compose.join(' ')} ${(await run(compose[0]!, [...compose.slice(1), 'version', '--short']).catch(() => ({ stdout: '?' }))).stdout.trim()}`);
  await composeRun('up', '-d', 'cloud');
  const operator = { email: freshEmail('compose-operator'), password: 'correct horse battery' };
  await until('the cloud answers', async () => (await fetch(`${cloudUrl}/healthz`)).ok);
  t.is((await api(cloudUrl, 'POST', '/api/v1/accounts', operator)).status, 201);
  // As the compose file's header says: inside the cloud's container, where its data folder and control socket are.
  await composeRun(
    'exec',
    '-T',
    'cloud',
    ...SERVICE_ENTRYPOINT,
    'cloud',
    'operators',
    'add',
    operator.email,
    '--data',
    join(env.EDGECOURIER_HOME!, 'cloud', 'data'),
  );
  const session = (await api(cloudUrl, 'POST', '/api/v1/sessions', operator)).body.token as string;
  const token = (await api(cloudUrl, 'POST', '/api/v1/tokens', { name: 'compose' }, session)).body.token as string;
  const root = join(env.EDGECOURIER_ROOTS!, 'synced');
  await cp(join(fixturesDir, 'apps', 'basic'), join(root, 'basic'), { recursive: true });
  t.is((await api(cloudUrl, 'POST', '/api/v1/roots', { kind: 'local', path: root }, token)).status, 201);

  const secrets = join(env.EDGECOURIER_HOME!, 'secrets', 'compose');
  await mkdir(secrets, { recursive: true, mode: 0o700 });
  await writeFile(join(secrets, 'courier-token'), token, { mode: 0o600 });
  await composeRun('up', '-d', '--scale', 'courier=2');
  await until('two healthy couriers', async () => {
    const couriers = await serviceContainers('courier');
    return couriers.length === 2 && couriers.every((courier) => courier.State.Health?.Status === 'healthy');
  });
  await until('two couriers registered', async () => (await api(cloudUrl, 'GET', '/api/v1/fleet/couriers', undefined, token)).body.couriers.length === 2);
  for (const courier of await serviceContainers('courier')) t.false(JSON.stringify(courier).includes(token), "the token is nowhere in a courier's spec");
  const [cloud] = await serviceContainers('cloud');
  t.is(cloud!.State.Health?.Status, 'healthy');

  await dropRequest(root, 'basic', 'compose-1', { function: 'greet', input: { name: 'compose' } });
  t.like(await waitForResult(root, 'basic', 'compose-1', 60_000), { ok: true, output: { message: 'hello COMPOSE' } });

  await composeRun('down', '--timeout', '20');
  t.deepEqual(await serviceContainers('courier'), []);
  t.deepEqual(await serviceContainers('cloud'), []);
});
