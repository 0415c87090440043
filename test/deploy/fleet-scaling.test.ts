/**
 * @module A courier fleet on real Docker while requests keep arriving: 1 -> 3 -> 1 couriers answer every request
 * in six bind-mounted roots exactly once, and a courier killed with SIGKILL has its roots served again by another courier.
 */
import test from 'ava';
import type Docker from 'dockerode';
import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FLEET_NAME_LABEL, listCouriers, scaleCouriers, type ScaleOptions } from '../../deploy/courier-fleet.ts';
import { ensureEngine } from '../../docker/engine.ts';
import { ensureServiceImages } from '../../deploy/service-images.ts';
import { api } from '../helpers/cloud.ts';
import { startFleetCloud, type FleetCloud } from '../helpers/fleet-cloud.ts';
import { dropRequest, sleep, waitForResult } from '../helpers/courier.ts';

/** Its own fleet name, so that other fleet tests running at the same time never touch these couriers. */
const FLEET = 'ec-scaling-test';
import { fixturesDir } from '../helpers/runtime.ts';
import { bridgeAddress } from '../../deploy/bridge-address.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until as waitUntil } from '../helpers/wait.ts';
import { removeContainers } from '../helpers/containers.ts';

const LEASE_MS = 2000;
const ROOTS = 6;
/** Registered before the first courier starts; the rest once three run, so that 3 -> 1 moves roots off the couriers removed. */
const EARLY_ROOTS = 2;

let docker: Docker;
let base: string;
let cloud: FleetCloud;
let fleet: Omit<ScaleOptions, 'count'>;
const roots: string[] = [];
/** Each result file as first seen: a request run twice writes its result again, under a new inode. */
const seen = new Map<string, { ino: number; mtimeMs: number }>();
/** Every courier container's log so far, followed from its start, so that a removed courier's lines still count. */
const logs = new Map<string, string>();

test.before(async () => {
  docker = await ensureEngine();
  base = await tempFolder('ec-fleet-scaling');
  cloud = await startFleetCloud(base, LEASE_MS);
  const folders = join(base, 'roots');
  for (let i = 0; i < ROOTS; i++) {
    const root = join(folders, `r${i}`);
    await mkdir(root, { recursive: true });
    await cp(join(fixturesDir, 'apps', 'basic'), join(root, 'basic'), { recursive: true });
    roots.push(root);
  }
  for (const root of roots.slice(0, EARLY_ROOTS)) await addRoot(root);
  const { courier } = await ensureServiceImages(docker);
  fleet = {
    cloudUrl: `http://${await bridgeAddress(docker)}:${cloud.port}`,
    token: cloud.token,
    image: courier,
    hostFolder: join(base, 'fleet'),
    extraBinds: [`${folders}:${folders}`],
    fleet: FLEET,
  };
});

test.after.always(async () => {
  const left = await docker?.listContainers({ all: true, filters: { label: [`${FLEET_NAME_LABEL}=${FLEET}`] } });
  await removeContainers(docker, left ?? []);
  // Sandboxes of a killed courier outlive it; they are labelled with their courier's name.
  const sandboxes = await docker?.listContainers({ all: true, filters: { label: ['edgecourier.owner'] } });
  const orphans = (sandboxes ?? []).filter((info) => info.Labels['edgecourier.owner']?.startsWith(`${FLEET}-courier-`));
  await removeContainers(docker, orphans);
  await cloud?.close();
  if (base) await rm(base, { recursive: true, force: true });
});

/** Roots the cloud has, so that the second test can add the ones a failed first test left out. */
const added = new Set<string>();

async function addRoot(path: string): Promise<void> {
  await cloud.addRoot(path);
  added.add(path);
}

async function registered(): Promise<Array<{ name: string; roots: string[] }>> {
  return (await api(cloud.url, 'GET', '/api/v1/fleet/couriers', undefined, cloud.token)).body.couriers;
}

/**
 * Waits for a fleet condition. A courier container starting on a machine whose cores are all busy (CI runs this
 * beside other test files and busy loops) can take tens of seconds, so the bound is generous; how fast is the
 * benchmark's business. A miss says what the cloud and each courier container show.
 */
function until(what: string, ready: () => Promise<boolean>): Promise<void> {
  return waitUntil(what, ready, {
    timeoutMs: 120_000,
    everyMs: 100,
    explain: async () => `The cloud sees ${JSON.stringify(await registered())}\n${await courierStates()}`,
  });
}

async function courierStates(): Promise<string> {
  const lines: string[] = [];
  for (const { name } of await listCouriers(docker, FLEET)) {
    const state = await docker
      .getContainer(name)
      .inspect()
      .then(
        (info) => JSON.stringify(info.State),
        (error: Error) => error.message,
      );
    lines.push(
      `${name}: ${state}`,
      ...(logs.get(name) ?? '')
        .split('\n')
        .slice(-15)
        .map((line) => `  ${line.slice(0, 300)}`),
    );
  }
  return lines.join('\n');
}

/** Scales, then follows the log of every courier container not followed yet. */
async function scale(count: number): Promise<void> {
  await scaleCouriers(docker, { ...fleet, count });
  for (const { name } of await listCouriers(docker, FLEET)) {
    if (logs.has(name)) continue;
    logs.set(name, '');
    const stream = (await docker.getContainer(name).logs({ follow: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
    stream.on('data', (chunk: Buffer) => logs.set(name, logs.get(name) + chunk.toString()));
    stream.on('error', () => undefined);
  }
}

/** How many times the followed logs show request `id` answered: one JSON line per answer. */
function answers(id: string): number {
  let count = 0;
  for (const log of logs.values()) count += log.split('\n').filter((line) => line.includes('"msg":"request"') && line.includes(`"id":"${id}"`)).length;
  return count;
}

/** Notes every result file once; a result seen again with another inode or mtime was written twice. */
async function recordResults(t: { fail(message: string): void }): Promise<void> {
  for (const root of roots) {
    const dir = join(root, 'basic', 'results');
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      const info = await stat(join(dir, name)).catch(() => undefined);
      if (!info) continue;
      const key = join(dir, name);
      const was = seen.get(key);
      if (!was) seen.set(key, { ino: info.ino, mtimeMs: info.mtimeMs });
      else if (was.ino !== info.ino || was.mtimeMs !== info.mtimeMs) t.fail(`${key} was written twice`);
    }
  }
}

/** Drops `upper` requests round-robin into the roots every 100 ms until stopped, recording results as it goes. */
function keepDropping(t: { fail(message: string): void }, prefix: string) {
  const dropped: Array<{ root: string; id: string }> = [];
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n++) {
      const entry = { root: roots[n % ROOTS]!, id: `${prefix}${n}` };
      await dropRequest(entry.root, 'basic', entry.id, { function: 'upper', input: { text: entry.id } });
      dropped.push(entry);
      await recordResults(t);
      await sleep(100);
    }
  })();
  return {
    dropped,
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function allAnswered(
  t: { fail(message: string): void; deepEqual(a: unknown, b: unknown, message?: string): void },
  dropped: Array<{ root: string; id: string }>,
  timeoutMs: number,
): Promise<void> {
  for (const { root, id } of dropped) {
    const result = await waitForResult(root, 'basic', id, timeoutMs);
    t.deepEqual(result.ok ? result.output : result.error, id.toUpperCase(), `${id} in ${root}`);
  }
  await sleep(1000);
  await recordResults(t);
}

test.serial('1 -> 3 -> 1 couriers serve six roots while requests keep arriving, and answer each exactly once', async (t) => {
  await scale(1);
  await until('one courier serving the early roots', async () => (await registered()).some((c) => c.roots.length === EARLY_ROOTS));
  const traffic = keepDropping(t, 'a');
  try {
    let begun = Date.now();
    await scale(3);
    await until('three couriers registered', async () => (await registered()).length === 3);
    t.log(`1 -> 3 until registered: ${Date.now() - begun} ms`);
    for (const root of roots.slice(EARLY_ROOTS)) await addRoot(root);
    await until('the new roots spread over couriers 2 and 3', async () => {
      const couriers = await registered();
      return couriers.reduce((sum, c) => sum + c.roots.length, 0) === ROOTS && couriers.every((c) => c.roots.length > 0);
    });
    await sleep(1500);
    begun = Date.now();
    await scale(1);
    await until('the one courier left serving all six roots', async () => {
      const couriers = await registered();
      return couriers.length === 1 && couriers[0]!.roots.length === ROOTS;
    });
    t.log(`3 -> 1 until one courier serves all: ${Date.now() - begun} ms`);
    await sleep(1500);
  } finally {
    await traffic.stop();
  }
  t.true(traffic.dropped.length > 30, `${traffic.dropped.length} requests dropped`);
  await allAnswered(t, traffic.dropped, 60_000);
  // A log line follows its result: it is written once the journal has recorded the request as done.
  await sleep(1000);
  for (const { id } of traffic.dropped) t.is(answers(id), 1, `${id} answered once`);
  for (const root of roots) {
    const expected = traffic.dropped
      .filter((entry) => entry.root === root)
      .map((entry) => `${entry.id}.json`)
      .sort();
    t.deepEqual((await readdir(join(root, 'basic', 'results'))).filter((name) => name.endsWith('.json')).sort(), expected);
  }
});

test.serial('a courier killed with SIGKILL: its roots are served again by another courier and nothing is lost', async (t) => {
  for (const root of roots) if (!added.has(root)) await addRoot(root);
  await scale(2);
  await until('two couriers registered', async () => (await registered()).length === 2);
  const victim = (await registered()).find((c) => c.roots.length > 0)!;
  t.truthy(victim, 'a courier holds the roots');
  // Requests in flight and queued at the moment of the kill.
  const before = roots.flatMap((root, r) => Array.from({ length: 4 }, (_, i) => ({ root, id: `b${r}x${i}` })));
  await Promise.all(before.map(({ root, id }) => dropRequest(root, 'basic', id, { function: 'upper', input: { text: id } })));
  await docker.getContainer(victim.name).kill();
  const killedAt = Date.now();
  const after = roots.map((root, r) => ({ root, id: `k${r}` }));
  await Promise.all(after.map(({ root, id }) => dropRequest(root, 'basic', id, { function: 'upper', input: { text: id } })));
  // How soon is the benchmark's business (npm run bench); here only that it happens, on a loaded CI machine too.
  await Promise.all(after.map(({ root, id }) => waitForResult(root, 'basic', id, 120_000)));
  t.log(
    `from SIGKILL of ${victim.name} (serving ${victim.roots.length} roots) until each root answered again: ${Date.now() - killedAt} ms (lease ${LEASE_MS} ms)`,
  );
  const survivor = (await registered()).find((c) => c.name !== victim.name);
  t.truthy(survivor, 'another courier is registered');
  await allAnswered(t, [...before, ...after], 60_000);
});
