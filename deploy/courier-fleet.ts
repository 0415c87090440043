/** @module A fleet of courier containers on one host through dockerode: scaled by number, listed and removed by their labels. */
import type Docker from 'dockerode';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../base/errors.ts';
import { ensurePrivateFolder } from '../base/private-file.ts';
import { OWNER_LABEL } from '../docker/sandbox-owner.ts';
import { SERVICE_HOME, serviceContainerOptions } from './service-config.ts';
import { writeFileAtomic } from '../base/atomic-file.ts';

/** Marks the containers this module manages, apart from couriers started any other way; its value is the courier's number. */
export const FLEET_LABEL = 'edgecourier.fleet';
/** Which fleet a courier belongs to, so that separate fleets (and tests) on one engine never touch each other. */
export const FLEET_NAME_LABEL = 'edgecourier.fleet-name';
export const DEFAULT_FLEET = 'edgecourier';
const courierName = (fleet: string, number: number) => `${fleet}-courier-${number}`;
/** Long enough for requests in flight to finish and the courier to deregister, so its roots move at once. */
export const STOP_TIMEOUT_S = 20;

export interface ScaleOptions {
  count: number;
  cloudUrl: string;
  /** An operator's API token; it reaches the couriers as a private file mounted read-only (a Swarm secret with --swarm), never through their spec. */
  token: string;
  image: string;
  /** Holds the fleet's shared state and each courier's own folder; SERVICE_HOME by default. */
  hostFolder?: string;
  /** More `host:container[:ro]` binds for every courier, such as the folders of local roots. */
  extraBinds?: string[];
  memoryBytes?: number;
  cpus?: number;
  /** The fleet's name: its containers are `<fleet>-courier-<n>`; `edgecourier` by default. */
  fleet?: string;
  log?: (line: string) => void;
}

export interface CourierContainer {
  name: string;
  number: number;
  /** Docker's state: running, exited, restarting… */
  state: string;
  /** The image's health check: starting, healthy, unhealthy, or none. */
  health: string;
  /** When it last started, or undefined when it never did. */
  startedAt?: Date;
}

/**
 * Creates or starts couriers 1..count and gracefully removes any numbered higher, highest first.
 * @example await scaleCouriers(docker, { count: 3, cloudUrl: 'http://10.0.0.2:8080', token, image: images.courier, log: console.error })
 */
export async function scaleCouriers(docker: Docker, options: ScaleOptions): Promise<{ created: string[]; removed: string[] }> {
  if (!Number.isInteger(options.count) || options.count < 0)
    throw new EdgeError('INVALID_INPUT', `a fleet size is a whole number of at least 0, not ${options.count}`);
  const log = options.log ?? (() => {});
  const fleet = options.fleet ?? DEFAULT_FLEET;
  const existing = await listCouriers(docker, fleet);
  const surplus = existing.filter((courier) => courier.number > options.count).map((courier) => courier.name);
  const removed = surplus.length ? await removeCouriers(docker, surplus, log, fleet) : [];
  const secrets = await placeTokenFile(options, fleet);
  const created: string[] = [];
  for (let number = 1; number <= options.count; number++) {
    const present = existing.find((courier) => courier.number === number);
    if (present?.state === 'running') continue;
    if (present) await docker.getContainer(present.name).start().catch(ignoreUnchanged);
    else created.push(await createCourier(docker, number, options, secrets));
    log(`started ${courierName(fleet, number)}`);
  }
  log(`fleet: ${options.count} courier(s); ${created.length} created, ${removed.length} removed`);
  return { created, removed };
}

/** The fleet's couriers, lowest number first. */
export async function listCouriers(docker: Docker, fleet = DEFAULT_FLEET): Promise<CourierContainer[]> {
  const infos = await docker.listContainers({ all: true, filters: { label: [FLEET_LABEL, `${FLEET_NAME_LABEL}=${fleet}`] } });
  const couriers = await Promise.all(infos.map((info) => describe(docker, info.Id)));
  return couriers.sort((a, b) => a.number - b.number);
}

/**
 * Stops (SIGTERM, then up to 20 s) and removes the named couriers, or all when `names` is not given, highest
 * number first, with the sandboxes they leave behind. Names outside the fleet are refused.
 */
export async function removeCouriers(docker: Docker, names?: string[], log: (line: string) => void = () => {}, fleet = DEFAULT_FLEET): Promise<string[]> {
  const couriers = await listCouriers(docker, fleet);
  const unknown = (names ?? []).filter((name) => !couriers.some((courier) => courier.name === name));
  if (unknown.length > 0) throw new EdgeError('NOT_FOUND', `not a courier of this fleet: ${unknown.join(', ')}`);
  const chosen = couriers.filter((courier) => !names || names.includes(courier.name)).reverse();
  // In parallel: each stop may wait for its requests in flight, and they are independent.
  await Promise.all(chosen.map((courier) => removeOne(docker, courier.name, log)));
  return chosen.map((courier) => courier.name);
}

async function describe(docker: Docker, id: string): Promise<CourierContainer> {
  const { Name, Config, State } = await docker.getContainer(id).inspect();
  const name = Name.replace(/^\//, '');
  const started = State.StartedAt && !State.StartedAt.startsWith('0001') ? new Date(State.StartedAt) : undefined;
  return { name, number: Number(Config.Labels[FLEET_LABEL]), state: State.Status, health: State.Health?.Status ?? 'none', startedAt: started };
}

/**
 * Writes the fleet's token to `<home>/secrets/<fleet>/courier-token` (folder 700, file 600) and returns its folder,
 * which couriers mount read-only at the same path: the token stays out of `docker inspect`, and a courier that
 * restarts reads the token the last scale was given. A fleet scaled to none has its token removed.
 */
async function placeTokenFile(options: ScaleOptions, fleet: string): Promise<string> {
  const folder = join(options.hostFolder ?? SERVICE_HOME, 'secrets', fleet);
  if (options.count === 0) {
    await rm(folder, { recursive: true, force: true });
    return folder;
  }
  await ensurePrivateFolder(
    folder,
    () => new EdgeError('INVALID_INPUT', `${folder} must be a folder owned by this user (it holds the couriers' token); remove it`),
  );
  await writeFileAtomic(join(folder, TOKEN_FILE_NAME), options.token, { mode: 0o600 });
  return folder;
}

const TOKEN_FILE_NAME = 'courier-token';

async function createCourier(docker: Docker, number: number, options: ScaleOptions, secrets: string): Promise<string> {
  const fleet = options.fleet ?? DEFAULT_FLEET;
  const name = courierName(fleet, number);
  const place = { name, dir: join(options.hostFolder ?? SERVICE_HOME, name), courierName: name, tokenFile: join(secrets, TOKEN_FILE_NAME) };
  const base = fleetCourierOptions({ ...options, extraBinds: [...(options.extraBinds ?? []), `${secrets}:${secrets}:ro`] }, place);
  const container = await docker.createContainer({
    ...base,
    Labels: { ...base.Labels, [FLEET_LABEL]: String(number), [FLEET_NAME_LABEL]: fleet },
    StopTimeout: STOP_TIMEOUT_S,
    HostConfig: { ...base.HostConfig, RestartPolicy: { Name: 'unless-stopped' } },
  });
  await container.start();
  return name;
}

/** Where every courier of a fleet under `home` keeps its roots' journals, on one host or in a Swarm. */
export function fleetStateDir(home: string): string {
  return join(home, 'fleet-state');
}

/**
 * What every fleet courier shares, in a container of its own or a Swarm task: the command in fleet mode, its
 * folders, its token and its resource limits. `courierName` is its name in the fleet; without it the courier takes
 * its host name. The token is read from `tokenFile` inside the container (a mounted private file or a Swarm
 * secret): a token on the command line or in the environment would show in `docker inspect`.
 */
export function fleetCourierOptions(
  options: ScaleOptions,
  place: { name: string; dir: string; courierName?: string; tokenFile: string },
): Docker.ContainerCreateOptions {
  // One state folder for the whole fleet: a root that moves to another courier keeps its journal.
  const state = fleetStateDir(options.hostFolder ?? SERVICE_HOME);
  const base = serviceContainerOptions({
    role: 'courier',
    image: options.image,
    name: place.name,
    dir: place.dir,
    args: ['--cloud', options.cloudUrl, ...(place.courierName ? ['--name', place.courierName] : []), '--token-file', place.tokenFile, '--state', state],
    binds: [`${state}:${state}`, ...(options.extraBinds ?? [])],
  });
  return {
    ...base,
    HostConfig: { ...base.HostConfig, Memory: options.memoryBytes ?? 512 * 1024 * 1024, NanoCpus: Math.round((options.cpus ?? 1) * 1e9) },
  };
}

async function removeOne(docker: Docker, name: string, log: (line: string) => void): Promise<void> {
  const container = docker.getContainer(name);
  await container.stop({ t: STOP_TIMEOUT_S }).catch(ignoreUnchanged);
  log(`stopped ${name}`);
  await container.remove({ force: true });
  // A courier killed before its cleanup leaves its sandboxes, labelled `<name>:<pid>`, running on the host.
  const sandboxes = await docker.listContainers({ all: true, filters: { label: [OWNER_LABEL] } });
  const orphans = sandboxes.filter((info) => info.Labels[OWNER_LABEL]?.startsWith(`${name}:`));
  await Promise.all(orphans.map((info) => docker.getContainer(info.Id).remove({ force: true })));
}

/** Starting a started container (or one restarting) or stopping a stopped one answers 304: already as wanted. */
function ignoreUnchanged(error: { statusCode?: number }): void {
  if (error.statusCode !== 304) throw error;
}
