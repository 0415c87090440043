/** @module The courier and cloud images on real Docker: built once per input, and each serving from its container. */
import test from 'ava';
import type Docker from 'dockerode';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureEngine } from '../../docker/engine.ts';
import { HEALTH_PORTS, serviceContainerOptions, type ServiceContainerSpec } from '../../deploy/service-config.ts';
import { ensureServiceImages, type ServiceImages } from '../../deploy/service-images.ts';
import { dropRequest, waitForResult } from '../helpers/courier.ts';
import { fixturesDir } from '../helpers/runtime.ts';
import { waitFor as waitForValue } from '../helpers/wait.ts';
import { removeContainers } from '../helpers/containers.ts';

interface Service {
  container: Docker.Container;
  name: string;
  url: string;
}

let docker: Docker;
let images: ServiceImages;
let firstEnsureMs: number;
const started: Service[] = [];
const temps: string[] = [];

test.before(async () => {
  docker = await ensureEngine();
  const begun = Date.now();
  images = await ensureServiceImages(docker);
  firstEnsureMs = Date.now() - begun;
});

test.after.always(async () => {
  await Promise.all(started.map(removeService));
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** Starts a service container the way an operator would, plus a random loopback port and a 1 s health interval. */
async function startService(spec: Omit<ServiceContainerSpec, 'name' | 'dir'>): Promise<Service> {
  const name = `ec-test-${spec.role}-${Math.random().toString(36).slice(2, 8)}`;
  const options = serviceContainerOptions({ ...spec, name, dir: await tempDir('ec-svc-') });
  const port = `${HEALTH_PORTS[spec.role]}/tcp`;
  const container = await docker.createContainer({
    ...options,
    Healthcheck: { Interval: 1e9, Timeout: 3e9, StartPeriod: 0, Retries: 3 },
    HostConfig: { ...options.HostConfig, PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  const service = { container, name, url: '' };
  started.push(service);
  await container.start();
  const { NetworkSettings } = await container.inspect();
  service.url = `http://127.0.0.1:${NetworkSettings.Ports[port]![0]!.HostPort}`;
  return service;
}

/** Stops it with SIGTERM so it removes its own sandboxes, then removes any it left behind. */
async function removeService(service: Service): Promise<void> {
  await service.container.stop({ t: 10 }).catch(() => undefined);
  await service.container.remove({ force: true }).catch(() => undefined);
  const siblings = await docker.listContainers({ all: true, filters: { label: ['edgecourier.owner'] } });
  const ours = siblings.filter((info) => info.Labels['edgecourier.owner']?.startsWith(`${service.name}:`));
  await removeContainers(docker, ours);
}

/** Polls `check` (2 s an attempt) until it returns a value; on timeout the error carries the end of the container's log. */
function waitFor<T>(service: Service, what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const explain = async () => `Its log ends:\n${demux(await service.container.logs({ stdout: true, stderr: true, tail: 30 }))}`;
  return waitForValue(`${service.name}: ${what}`, check, { timeoutMs, everyMs: 200, attemptMs: 2000, explain });
}

/** The text of a log read without a TTY: frames of an 8-byte header (stream, 0, 0, 0, length) and their bytes. */
function demux(frames: Buffer): string {
  const parts: Buffer[] = [];
  for (let at = 0; at + 8 <= frames.length; at += 8 + frames.readUInt32BE(at + 4)) parts.push(frames.subarray(at + 8, at + 8 + frames.readUInt32BE(at + 4)));
  return Buffer.concat(parts).toString();
}

async function healthy(service: Service): Promise<string> {
  return waitFor(service, 'healthy status', async () => ((await service.container.inspect()).State.Health?.Status === 'healthy' ? 'healthy' : undefined));
}

test('both images build on the base image, with their command and a health check', async (t) => {
  t.log(`first ensure: ${firstEnsureMs} ms`);
  for (const [role, ref] of Object.entries(images)) {
    const { Config } = await docker.getImage(ref).inspect();
    t.deepEqual(Config.Entrypoint, ['/usr/bin/node', '/opt/edgecourier/dist/edgecourier.js']);
    t.is(Config.Cmd?.[0], role);
    t.is(Config.Healthcheck?.Test?.[0], 'CMD');
  }
});

test('a second ensure builds nothing and returns the same references', async (t) => {
  const lines: string[] = [];
  t.deepEqual(await ensureServiceImages(docker, { log: (line) => lines.push(line) }), images);
  // Every build step logs a line: none means nothing was built.
  t.deepEqual(lines, []);
});

test('the cloud image serves the API and turns healthy', async (t) => {
  const cloud = await startService({ role: 'cloud', image: images.cloud });
  const answer = await waitFor(cloud, 'answer', () => fetch(`${cloud.url}/api/v1/me`));
  t.is(answer.status, 401);
  t.like(await answer.json(), { error: { code: 'UNAUTHORIZED' } });
  t.is(await healthy(cloud), 'healthy');
});

/** A courier container serving a root that holds a copy of the fixture app `app`, and the result of one request to it. */
async function courierAnswer(app: string, request: { function: string; input: unknown }): Promise<{ courier: Service; root: string; result: unknown }> {
  const root = await tempDir('ec-svc-root-');
  await cp(join(fixturesDir, 'apps', app), join(root, app), { recursive: true });
  const courier = await startService({ role: 'courier', image: images.courier, args: ['--root', root], binds: [`${root}:${root}`] });
  await dropRequest(root, app, 'hello', request);
  const result = await waitFor(courier, 'result', () => waitForResult(root, app, 'hello', 1000), 90_000);
  return { courier, root, result };
}

test('the courier image answers a dropped request through sibling sandboxes on the host engine', async (t) => {
  const begun = Date.now();
  const { courier, result } = await courierAnswer('basic', { function: 'greet', input: { name: 'container' } });
  t.log(`start to result: ${Date.now() - begun} ms`);
  t.like(result, { ok: true, output: { message: 'hello CONTAINER' } });
  const siblings = await docker.listContainers({ filters: { label: ['edgecourier.owner'] } });
  t.true(siblings.some((info) => info.Labels['edgecourier.owner']?.startsWith(`${courier.name}:`)));
  t.is(await healthy(courier), 'healthy');
});

test("the courier image installs an app's npm dependencies with the npm it carries", async (t) => {
  const { courier, result } = await courierAnswer('with-dep', { function: 'shout', input: { text: 'from a container' } });
  t.like(result, { ok: true, output: { text: 'FROM A CONTAINER' } });
  const log = demux(await courier.container.logs({ stdout: true, stderr: true }));
  t.regex(log, /npm install for .*with-dep/, 'the courier ran npm itself');
});
