/**
 * @module Fleet benchmark on one host: time to scale 1 -> 5 courier containers until all are registered, time from
 * a courier's SIGKILL until its roots answer again, and a backlog spread over 10 roots answered by 5 couriers against 1.
 */
import type Docker from 'dockerode';
import { cp, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { cloudClient } from '../cli/cloud-client.ts';
import { controlRequest } from '../cli/control-client.ts';
import { startCloud, type RunningCloud } from '../cloud/main.ts';
import { FLEET_NAME_LABEL, removeCouriers, scaleCouriers, type ScaleOptions } from '../deploy/courier-fleet.ts';
import type { ExecutorBundle } from '../docker/executor-factory.ts';
import { ensureServiceImages } from '../deploy/service-images.ts';
import { ensureSwarm, listSwarmCouriers, removeSwarmCouriers, scaleSwarmCouriers } from '../deploy/swarm-fleet.ts';
import { bridgeAddress } from '../deploy/bridge-address.ts';

/** Its own fleet name: an operator's real fleet on this engine is never touched. */
const FLEET = 'ec-bench';

export interface FleetBenchDeps {
  docker: Docker;
  executor: ExecutorBundle;
  appDir: string;
  report(line: string): void;
}

const LEASE_MS = 2000;
const ROOTS = 10;
const BACKLOG = 1000;
const BIG_FLEET = 5;
const OPERATOR = { email: 'fleet-bench@example.com', password: 'benchmark-password' };

type Client = ReturnType<typeof cloudClient>;
interface Registered {
  id: string;
  name: string;
  roots: string[];
}
interface Root {
  id: string;
  path: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** An error's message on one line, cut to a row's length. */
function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 600);
}

/** Runs one named step of a row, so that a failure can say which step failed and after how long. */
type Step = <T>(name: string, work: () => Promise<T>) => Promise<T>;

/**
 * Reports `<label>: <what measure returns>`, or `<label>: FAILED at <step> after <s>: <reason>` when a step throws:
 * a failed step is printed in its row instead of ending the benchmark. Returns whether the row was measured.
 */
async function row(report: (line: string) => void, label: string, measure: (step: Step) => Promise<string>): Promise<boolean> {
  let current = 'start';
  let since = performance.now();
  const step: Step = (name, work) => {
    current = name;
    since = performance.now();
    return work();
  };
  try {
    report(`${label}: ${await measure(step)}`);
    return true;
  } catch (error) {
    report(`${label}: FAILED at "${current}" after ${seconds(performance.now() - since)}: ${oneLine(error)}`);
    return false;
  }
}

async function until(what: string, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`fleet bench: ${what}, not after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** A cloud on every address with a short lease, and an operator's API token for it. */
async function operatorCloud(deps: FleetBenchDeps, base: string): Promise<{ cloud: RunningCloud; client: Client; token: string }> {
  const cloud = await startCloud({
    dataDir: join(base, 'data'),
    port: 0,
    host: '0.0.0.0',
    fleetLeaseMs: LEASE_MS,
    executor: deps.executor,
    logger: pino({ level: 'silent' }),
  });
  const local = `http://127.0.0.1:${(cloud.server.address() as AddressInfo).port}`;
  await cloudClient(local).request('POST', '/api/v1/accounts', OPERATOR);
  await controlRequest(join(base, 'data'), 'PUT', `/operators/${encodeURIComponent(OPERATOR.email)}`);
  const session = await cloudClient(local).request<{ token: string }>('POST', '/api/v1/sessions', OPERATOR);
  const { token } = await cloudClient(local, session.token).request<{ token: string }>('POST', '/api/v1/tokens', { name: 'fleet-bench' });
  return { cloud, client: cloudClient(local, token), token };
}

/** `count` folders holding the example app under `folder`, registered as local roots. */
async function addRoots(deps: FleetBenchDeps, client: Client, folder: string, count: number): Promise<Root[]> {
  const roots: Root[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(folder, `r${i}`);
    await cp(deps.appDir, join(path, 'hello'), { recursive: true });
    await mkdir(join(path, 'hello', 'results'), { recursive: true });
    const { id } = await client.request<{ id: string }>('POST', '/api/v1/roots', { kind: 'local', path });
    roots.push({ id, path });
  }
  return roots;
}

async function drop(root: string, id: string): Promise<void> {
  const temp = join(root, 'hello', 'requests', `.${id}.json.tmp`);
  await mkdir(join(root, 'hello', 'requests'), { recursive: true });
  await writeFile(temp, JSON.stringify({ function: 'upper', input: { text: id } }));
  await rename(temp, join(root, 'hello', 'requests', `${id}.json`));
}

/** Resolves once every id has a result in its root, polling the results folders. */
async function answered(requests: Array<{ root: string; id: string }>, timeoutMs = 300_000): Promise<void> {
  const waiting = new Map<string, Set<string>>();
  for (const { root, id } of requests) waiting.set(root, (waiting.get(root) ?? new Set()).add(`${id}.json`));
  await until(
    `${requests.length} results`,
    async () => {
      for (const [root, names] of waiting) {
        for (const name of await readdir(join(root, 'hello', 'results'))) names.delete(name);
        if (names.size === 0) waiting.delete(root);
      }
      return waiting.size === 0;
    },
    timeoutMs,
  );
}

/** Requests per second for a backlog of BACKLOG requests spread round-robin over the roots, after one warm-up each. */
async function backlogRate(roots: Root[], tag: string): Promise<number> {
  const warm = roots.map((root) => ({ root: root.path, id: `${tag}-warm` }));
  await Promise.all(warm.map(({ root, id }) => drop(root, id)));
  await answered(warm);
  const requests = Array.from({ length: BACKLOG }, (_, i) => ({ root: roots[i % roots.length]!.path, id: `${tag}-${i}` }));
  const started = performance.now();
  await Promise.all(requests.map(({ root, id }) => drop(root, id)));
  await answered(requests);
  return BACKLOG / ((performance.now() - started) / 1000);
}

/**
 * Time to scale a Swarm service of couriers from 1 to BIG_FLEET replicas, until all are registered. Leaves
 * an operator's own Swarm fleet alone, and the swarm itself when it was there before.
 */
async function swarmScaling(deps: FleetBenchDeps, fleet: Omit<ScaleOptions, 'count'>, couriers: () => Promise<Registered[]>): Promise<void> {
  const { docker } = deps;
  const label = `fleet scale 1 -> ${BIG_FLEET}, Swarm`;
  const before = new Set((await couriers()).map((courier) => courier.name));
  const fresh = async () => (await couriers()).filter((courier) => !before.has(courier.name)).length;
  const { created } = await ensureSwarm(docker);
  try {
    if ((await listSwarmCouriers(docker)).length > 0) return deps.report(`${label}: not measured; a Swarm courier service already runs`);
    await row(deps.report, label, async (step) => {
      await step('scale 1 --swarm', () => scaleSwarmCouriers(docker, { ...fleet, count: 1 }));
      await step('one Swarm courier registered', () => until('one Swarm courier registered', async () => (await fresh()) === 1));
      const started = performance.now();
      await step(`scale ${BIG_FLEET} --swarm`, () => scaleSwarmCouriers(docker, { ...fleet, count: BIG_FLEET }));
      const called = performance.now() - started;
      await step(`${BIG_FLEET} Swarm couriers registered`, () => until(`${BIG_FLEET} Swarm couriers registered`, async () => (await fresh()) === BIG_FLEET));
      return `${seconds(performance.now() - started)} until all ${BIG_FLEET} registered at the cloud (scale call ${seconds(called)})`;
    });
  } finally {
    await removeSwarmCouriers(docker).catch(() => undefined);
    if (created) await docker.swarmLeave({ force: true }).catch(() => undefined);
  }
}

/**
 * Runs every fleet figure in one go and reports them, each in its row: a step that fails is printed there, and the
 * rows that depend on it say they were not measured; a failure outside the rows (the cloud, the images, clean-up)
 * is printed too, and the benchmarks after this one still run. Refuses to touch a host already running a courier
 * fleet, since scaling works on the fleet's fixed container names.
 */
export async function benchFleet(deps: FleetBenchDeps): Promise<void> {
  await measureFleet(deps).catch((error: unknown) => deps.report(`fleet: FAILED outside its rows: ${oneLine(error)}`));
}

async function measureFleet(deps: FleetBenchDeps): Promise<void> {
  if ((await deps.docker.listContainers({ all: true, filters: { label: [`${FLEET_NAME_LABEL}=${FLEET}`] } })).length > 0) {
    deps.report('fleet: not measured; a courier fleet already runs on this host');
    return;
  }
  const base = await mkdtemp(join(tmpdir(), 'ec-bench-fleet-'));
  const { cloud, client, token } = await operatorCloud(deps, base);
  const couriers = async () => (await client.request<{ couriers: Registered[] }>('GET', '/api/v1/fleet/couriers')).couriers;
  const folders = join(base, 'roots');
  try {
    const { courier: image } = await ensureServiceImages(deps.docker);
    const fleet: Omit<ScaleOptions, 'count'> = {
      cloudUrl: `http://${await bridgeAddress(deps.docker)}:${(cloud.server.address() as AddressInfo).port}`,
      token,
      image,
      hostFolder: join(base, 'fleet'),
      extraBinds: [`${folders}:${folders}`],
      fleet: FLEET,
    };
    await containerRows(deps, fleet, couriers, client, folders);
    await removeCouriers(deps.docker, undefined, () => {}, FLEET);
    await swarmScaling(deps, fleet, couriers);
  } finally {
    await removeCouriers(deps.docker, undefined, () => {}, FLEET).catch(() => undefined);
    await cloud.close();
    await rm(base, { recursive: true, force: true });
  }
}

/** The one-host rows: scale 1 -> BIG_FLEET containers, the backlog on 1 and on BIG_FLEET couriers, and a courier's SIGKILL. */
async function containerRows(
  deps: FleetBenchDeps,
  fleet: Omit<ScaleOptions, 'count'>,
  couriers: () => Promise<Registered[]>,
  client: Client,
  folders: string,
): Promise<void> {
  const backlogLabel = `fleet backlog of ${BACKLOG} requests over ${ROOTS} roots`;
  const killLabel = `fleet courier SIGKILL until its roots answer again (lease ${LEASE_MS / 1000} s)`;
  let one = 0;
  let alone: Root[] = [];
  const scaled = await row(deps.report, `fleet scale 1 -> ${BIG_FLEET}, containers`, async (step) => {
    await step('scale 1', () => scaleCouriers(deps.docker, { ...fleet, count: 1 }));
    await step('one courier registered', () => until('one courier registered', async () => (await couriers()).length === 1));
    alone = await step('add roots', () => addRoots(deps, client, join(folders, 'alone'), ROOTS));
    await step('one courier serving every root', () => until('one courier serving every root', async () => (await couriers())[0]!.roots.length === ROOTS));
    one = await step('backlog on 1 courier', () => backlogRate(alone, 'one'));
    const started = performance.now();
    await step(`scale ${BIG_FLEET}`, () => scaleCouriers(deps.docker, { ...fleet, count: BIG_FLEET }));
    const called = performance.now() - started;
    await step(`${BIG_FLEET} couriers registered`, () => until(`${BIG_FLEET} couriers registered`, async () => (await couriers()).length === BIG_FLEET));
    return `${seconds(performance.now() - started)} until all ${BIG_FLEET} registered at the cloud (scale call ${seconds(called)})`;
  });
  if (!scaled) {
    for (const label of [backlogLabel, killLabel]) deps.report(`${label}: not measured; the scale-up above failed`);
    return;
  }
  let spread: Root[] = [];
  const spreadOut = await row(deps.report, backlogLabel, async (step) => {
    // Roots are never taken from a live courier, so new roots are what spreads over the five.
    await step('remove the first roots', async () => {
      for (const root of alone) await client.request('DELETE', `/api/v1/roots/${root.id}`);
    });
    await step('the first roots let go', () => until('the first roots let go', async () => (await couriers()).every((courier) => courier.roots.length === 0)));
    spread = await step('add roots', () => addRoots(deps, client, join(folders, 'spread'), ROOTS));
    await step('roots spread over the fleet', () =>
      until('roots spread over the fleet', async () => (await couriers()).every((courier) => courier.roots.length === ROOTS / BIG_FLEET)),
    );
    const five = await step(`backlog on ${BIG_FLEET} couriers`, () => backlogRate(spread, 'five'));
    return `1 courier ${Math.round(one)} req/s; ${BIG_FLEET} couriers ${Math.round(five)} req/s (${(five / one).toFixed(2)}x)`;
  });
  if (!spreadOut) return deps.report(`${killLabel}: not measured; the roots did not spread over the fleet`);
  await row(deps.report, killLabel, (step) => step('kill a courier and wait for its roots', () => killOne(deps, couriers, spread)));
}

/** SIGKILLs a courier serving roots and times until a request in each of its roots is answered. */
async function killOne(deps: FleetBenchDeps, couriers: () => Promise<Registered[]>, spread: Root[]): Promise<string> {
  const victim = (await couriers()).find((courier) => courier.roots.length > 0)!;
  const held = spread.filter((root) => victim.roots.includes(root.id));
  await deps.docker.getContainer(victim.name).kill();
  const started = performance.now();
  const after = held.map((root) => ({ root: root.path, id: 'after-kill' }));
  await Promise.all(after.map(({ root, id }) => drop(root, id)));
  let first = 0;
  await Promise.all(
    after.map(async (request) => {
      await answered([request], LEASE_MS + 30_000).catch(async (error: Error) => {
        const logs = await deps.docker
          .getContainer(victim.name)
          .logs({ stdout: true, stderr: true, tail: 20 })
          .catch(() => '');
        throw new Error(`${error.message}; the cloud sees ${JSON.stringify(await couriers())}; ${victim.name} logged:\n${logs.toString()}`);
      });
      first ||= performance.now() - started;
    }),
  );
  const all = performance.now() - started;
  const restarted = (await deps.docker.getContainer(victim.name).inspect()).RestartCount > 0 ? '; Docker restarted it' : '';
  return `first root ${seconds(first)}, all ${held.length} ${seconds(all)}${restarted}`;
}
