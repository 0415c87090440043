/** @module A courier fleet as one Docker Swarm service whose replica count is set: the couriers' settings are the one-host fleet's. */
import type Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { EdgeError } from '../base/errors.ts';
import { STOP_TIMEOUT_S, fleetCourierOptions, fleetStateDir, type ScaleOptions } from './courier-fleet.ts';
import { SERVICE_HOME, serviceEnv } from './service-config.ts';

export const SWARM_SERVICE = 'edgecourier-couriers';
/** Marks the service and its tasks' containers; not the one-host FLEET_LABEL, so neither path touches the other's couriers. */
export const SWARM_LABEL = 'edgecourier.swarm';
/** The image's tag on the service, whose tasks run it by id. */
const IMAGE_LABEL = 'edgecourier.image';
/** Where a task reads the operator token: its secret, which Swarm mounts under /run/secrets. */
const TOKEN_FILE = '/run/secrets/edgecourier-token';
const POLL_MS = 200;
/**
 * The image's probe (a `node -e` fetch of /healthz), tuned for Swarm, which counts a task as running only once it is
 * healthy and kills a task that turns unhealthy. Probed every 2 s, not the image's 10 s, so a scale-up does not wait
 * 10 s for a first probe (Docker 20.10 has no separate start interval). Failures in the start period do not count:
 * before it answers, a courier loads its program and waits for its warm sandboxes, all within its one CPU, and on a
 * busy host (when it still compiled its sources and bundled its harness at every start) that took longer than three probes (about
 * 15 s), so every task was killed as unhealthy before it had started, its replacement began again from nothing,
 * and none ever ran (`0/5 running after 90 s`). The timeout is long for the same reason: the
 * probe starts a node process that competes for the task's CPU, and a courier busy serving must not be killed as hung.
 */
const HEALTH_CHECK = { Interval: 2e9, Timeout: 10e9, Retries: 3, StartPeriod: 120e9 };
/**
 * How long a scale waits by default: the start period and three probes, by which time a task that cannot start
 * has been judged. Measured under heavy load here (load average 30-99), 1 -> 5 took 41-67 s.
 */
const SETTLE_TIMEOUT_MS = 150_000;

export type SwarmScaleOptions = ScaleOptions & { timeoutMs?: number };
type SecretReference = { SecretID: string; SecretName: string };
/** The fields of a Swarm task read here (dockerode types a task as any). */
interface TaskInfo {
  ID: string;
  Slot: number;
  DesiredState: string;
  Status?: { State?: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
}

export interface SwarmCourier {
  /** The task's id, and the container's id where it has one: the courier's host name, so its name in the fleet. */
  task: string;
  container?: string;
  slot: number;
  /** Swarm's task state: new, pending, starting, running, shutdown, failed… */
  state: string;
  desiredState: string;
  error?: string;
}

/**
 * Joins the engine to a one-node swarm on loopback when it is in none; an existing swarm is left as it is.
 * @returns whether this call created the swarm, so that whoever asked may leave it again.
 */
export async function ensureSwarm(docker: Docker, log: (line: string) => void = () => {}): Promise<{ created: boolean }> {
  const state = (await docker.info()).Swarm?.LocalNodeState as string | undefined;
  if (state === 'active') return { created: false };
  if (state !== 'inactive') throw new EdgeError('ENGINE_UNAVAILABLE', `the engine's swarm is ${state ?? 'unknown'}; resolve it with \`docker swarm\` first`);
  await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
  log('initialised a one-node swarm on 127.0.0.1');
  return { created: true };
}

/**
 * Creates or updates the service `edgecourier-couriers` with `count` replicas and waits, printing `n/N running`,
 * until exactly that many tasks run. Host folders are bind-mounted at the same paths, so they must exist on every
 * node that may run a task (this host's are created).
 * @example await scaleSwarmCouriers(docker, { count: 3, cloudUrl: 'http://172.17.0.1:8080', token, image: images.courier, log: console.error })
 */
export async function scaleSwarmCouriers(docker: Docker, options: SwarmScaleOptions): Promise<{ service: string; replicas: number; created: boolean }> {
  if (!Number.isInteger(options.count) || options.count < 0)
    throw new EdgeError('INVALID_INPUT', `a fleet size is a whole number of at least 0, not ${options.count}`);
  const log = options.log ?? (() => {});
  const dir = join(options.hostFolder ?? SERVICE_HOME, SWARM_SERVICE);
  // A Swarm bind mount fails on a missing source instead of creating it as `docker run` does.
  await Promise.all([dir, fleetStateDir(options.hostFolder ?? SERVICE_HOME)].map((folder) => mkdir(folder, { recursive: true })));
  // By id, not tag: the engine then never tries to pull it for a task (moby skips the pull for an image id).
  const image = await imageId(docker, options.image);
  const secret = await ensureTokenSecret(docker, options.token);
  const spec = serviceSpec({ ...options, image }, dir, secret);
  spec.Labels = { ...spec.Labels, [IMAGE_LABEL]: options.image };
  const existing = await inspectService(docker);
  if (existing) await docker.getService(existing.ID).update({ ...spec, version: existing.Version.Index });
  else await docker.createService(spec);
  log(`${existing ? 'updated' : 'created'} service ${SWARM_SERVICE} with ${options.count} replica(s)`);
  // The service no longer names a secret of an earlier token, so it can go.
  await removeTokenSecrets(docker, secret.SecretID);
  await waitForRunning(docker, options.count, log, options.timeoutMs ?? SETTLE_TIMEOUT_MS);
  return { service: SWARM_SERVICE, replicas: options.count, created: !existing };
}

/** The service's tasks that Swarm still wants running or that have not stopped yet, lowest slot first. */
export async function listSwarmCouriers(docker: Docker): Promise<SwarmCourier[]> {
  if (!(await inspectService(docker))) return [];
  return current(await docker.listTasks({ filters: { service: [SWARM_SERVICE] } }));
}

function current(tasks: TaskInfo[]): SwarmCourier[] {
  return tasks
    .filter((task) => task.DesiredState === 'running' || task.Status?.State === 'running')
    .map((task) => ({
      task: task.ID,
      container: task.Status?.ContainerStatus?.ContainerID,
      slot: task.Slot,
      state: task.Status?.State ?? 'unknown',
      desiredState: task.DesiredState,
      error: task.Status?.Err,
    }))
    .sort((a, b) => a.slot - b.slot);
}

/** Removes the service and waits until its containers are gone (each gets SIGTERM and up to 20 s), then its token secrets. False when there was no service. */
export async function removeSwarmCouriers(docker: Docker, log: (line: string) => void = () => {}): Promise<boolean> {
  const existing = await inspectService(docker);
  if (!existing) {
    // A service removed some other way leaves its secrets behind.
    await removeTokenSecrets(docker);
    return false;
  }
  await docker.getService(existing.ID).remove();
  log(`removed service ${SWARM_SERVICE}; waiting for its containers to stop`);
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while ((await docker.listContainers({ all: true, filters: { label: [`${SWARM_LABEL}=${SWARM_SERVICE}`] } })).length > 0) {
    if (Date.now() > deadline)
      throw new EdgeError('ENGINE_UNAVAILABLE', `the containers of ${SWARM_SERVICE} did not stop within ${SETTLE_TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS);
  }
  await removeTokenSecrets(docker);
  return true;
}

/**
 * The token as a Swarm secret, which Swarm keeps encrypted and gives only to the tasks' in-memory /run/secrets,
 * where an environment variable would show in `docker service inspect` on every manager. Named by a digest of the
 * token: a secret cannot change, so the same token reuses its secret and a new one makes another.
 */
async function ensureTokenSecret(docker: Docker, token: string): Promise<SecretReference> {
  const name = `${SWARM_SERVICE}-token-${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
  const existing = (await tokenSecrets(docker)).find((secret) => secret.Spec.Name === name);
  if (existing) return { SecretID: existing.ID, SecretName: name };
  const created = (await docker.createSecret({
    Name: name,
    Labels: { [SWARM_LABEL]: SWARM_SERVICE },
    Data: Buffer.from(token).toString('base64'),
  })) as Docker.Secret;
  return { SecretID: created.id, SecretName: name };
}

async function tokenSecrets(docker: Docker): Promise<Array<{ ID: string; Spec: { Name: string } }>> {
  return (await docker.listSecrets({ filters: { label: [`${SWARM_LABEL}=${SWARM_SERVICE}`] } })) as unknown as Array<{ ID: string; Spec: { Name: string } }>;
}

/** Removes the service's token secrets, all but `keep`. */
async function removeTokenSecrets(docker: Docker, keep?: string): Promise<void> {
  const stale = (await tokenSecrets(docker)).filter((secret) => secret.ID !== keep);
  await Promise.all(stale.map((secret) => docker.getSecret(secret.ID).remove()));
}

function serviceSpec(options: SwarmScaleOptions, dir: string, secret: SecretReference): Docker.CreateServiceOptions {
  const base = fleetCourierOptions(options, { name: SWARM_SERVICE, dir, tokenFile: TOKEN_FILE });
  // Each replica its own run and cache folders under the one mounted `dir`: Swarm expands the template per task.
  const own = serviceEnv('courier', join(dir, '{{.Task.Slot}}'));
  const ownKeys = new Set(own.map(envKey));
  const labels = { ...base.Labels, [SWARM_LABEL]: SWARM_SERVICE };
  return {
    Name: SWARM_SERVICE,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: base.Image,
        // Args, not Command: the image's entrypoint stays.
        Args: base.Cmd as string[],
        Env: [...own, ...(base.Env ?? []).filter((entry) => !ownKeys.has(envKey(entry)))],
        Labels: labels,
        User: base.User,
        Init: base.HostConfig?.Init ?? true,
        StopGracePeriod: STOP_TIMEOUT_S * 1e9,
        HealthCheck: HEALTH_CHECK,
        Mounts: (base.HostConfig?.Binds ?? []).map(bindMount),
        // Read by root only: the courier runs as root, and the file need be no one else's.
        Secrets: [{ ...secret, File: { Name: basename(TOKEN_FILE), UID: '0', GID: '0', Mode: 0o400 } }],
      },
      Resources: { Limits: { MemoryBytes: base.HostConfig?.Memory, NanoCPUs: base.HostConfig?.NanoCpus } },
      RestartPolicy: { Condition: 'any', Delay: 1e9 },
    },
    Mode: { Replicated: { Replicas: options.count } },
  };
}

function envKey(entry: string): string {
  return entry.slice(0, entry.indexOf('='));
}

/** `host:container[:ro]` as a Swarm mount. */
function bindMount(bind: string): Docker.MountSettings {
  const [source, target, mode] = bind.split(':');
  return { Type: 'bind', Source: source!, Target: target ?? source!, ReadOnly: mode === 'ro' };
}

async function imageId(docker: Docker, image: string): Promise<string> {
  try {
    return (await docker.getImage(image).inspect()).Id;
  } catch (error) {
    throw new EdgeError('NOT_FOUND', `no image ${image} on this engine; build it with \`edgecourier images build\``, { cause: error });
  }
}

async function inspectService(docker: Docker): Promise<{ ID: string; Version: { Index: number } } | undefined> {
  try {
    return await docker.getService(SWARM_SERVICE).inspect();
  } catch (error) {
    // 503: the engine is in no swarm, so there is no service either.
    if ([404, 503].includes((error as { statusCode?: number }).statusCode ?? 0)) return undefined;
    throw error;
  }
}

/** The states a task ends in: Swarm never moves it on from these. */
const ENDED = ['failed', 'rejected', 'complete'];

/**
 * Why a task that ended during a wait ended, or undefined when it ended as asked (a scale-down). Its error, with its
 * container's last health probe when it was killed as unhealthy: "unhealthy" alone says not why, and a running task
 * killed as unhealthy ends `complete`, with no error at all.
 */
async function failureReason(docker: Docker, task: TaskInfo): Promise<string | undefined> {
  const state = task.Status?.State ?? '';
  const container = task.Status?.ContainerStatus?.ContainerID;
  const health = container
    ? (
        await docker
          .getContainer(container)
          .inspect()
          .catch(() => undefined)
      )?.State?.Health
    : undefined;
  const probe = health?.Log?.at(-1)?.Output?.trim().slice(0, 200);
  const unhealthy = health?.Status === 'unhealthy';
  if (state === 'complete' && !unhealthy) return undefined;
  const reason = task.Status?.Err ?? (state === 'complete' ? 'killed as unhealthy' : `exit code ${task.Status?.ContainerStatus?.ExitCode ?? 'unknown'}`);
  return unhealthy && probe ? `${reason} (last health probe: ${probe})` : reason;
}

/**
 * Polls until exactly `wanted` tasks run, logging each change of that number and each task that fails (Swarm then
 * starts another). On timeout the error names what the tasks are doing and why the failed ones failed: the tasks
 * that failed are no longer wanted running, so a count of running ones alone hides the cause.
 */
async function waitForRunning(docker: Docker, wanted: number, log: (line: string) => void, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const done = new Set([...ENDED, 'shutdown', 'orphaned', 'remove']);
  // Tasks that had ended before this wait are an earlier scale's story.
  const before = new Set(
    (await docker.listTasks({ filters: { service: [SWARM_SERVICE] } }))
      .filter((task: TaskInfo) => done.has(task.Status?.State ?? ''))
      .map((task: TaskInfo) => task.ID),
  );
  const failures = new Map<string, string>();
  const judged = new Set<string>();
  let shown = -1;
  for (;;) {
    const all: TaskInfo[] = await docker.listTasks({ filters: { service: [SWARM_SERVICE] } }).catch((error: { statusCode?: number }) => {
      if (error.statusCode === 404) throw new EdgeError('NOT_FOUND', `the service ${SWARM_SERVICE} was removed while waiting for its tasks`, { cause: error });
      throw error;
    });
    const tasks = current(all);
    const running = tasks.filter((task) => task.state === 'running').length;
    if (running !== shown) log(`${running}/${wanted} running`);
    shown = running;
    if (running === wanted && tasks.every((task) => task.state === 'running' || task.desiredState !== 'running')) return;
    for (const task of all.filter((task) => ENDED.includes(task.Status?.State ?? '') && !before.has(task.ID) && !judged.has(task.ID))) {
      judged.add(task.ID);
      const reason = await failureReason(docker, task);
      if (!reason) continue;
      failures.set(task.ID, reason);
      log(`task ${task.ID.slice(0, 12)} (slot ${task.Slot}) ${task.Status?.State}: ${reason}; Swarm starts another`);
    }
    if (Date.now() > deadline)
      throw new EdgeError(
        'ENGINE_UNAVAILABLE',
        `${running}/${wanted} couriers of ${SWARM_SERVICE} running after ${timeoutMs / 1000} s${stuck(tasks, failures)}`,
      );
    await sleep(POLL_MS);
  }
}

/** `: 2 starting; 3 pending (no suitable node); 4 task(s) failed and were replaced: 4x …`, or nothing when there is nothing to say. */
function stuck(tasks: SwarmCourier[], failures: Map<string, string>): string {
  const states = new Map<string, number>();
  for (const task of tasks.filter((task) => task.state !== 'running')) {
    const key = task.error ? `${task.state} (${task.error})` : task.state;
    states.set(key, (states.get(key) ?? 0) + 1);
  }
  const parts = [...states].map(([state, count]) => `${count} ${state}`);
  const reasons = new Map<string, number>();
  for (const reason of failures.values()) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  if (failures.size > 0)
    parts.push(`${failures.size} task(s) failed and were replaced: ${[...reasons].map(([reason, count]) => `${count}x ${reason}`).join('; ')}`);
  return parts.length > 0 ? `: ${parts.join('; ')}` : '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
