/** @module Who started a sandbox container, written in its labels, and the sweep that removes the sandboxes whose starter is gone. */
import type Docker from 'dockerode';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ownerAlive, thisProcess, type ProcessIdentity } from '../base/process-identity.ts';

/** `<host>:<pid>` of the process that started a sandbox. */
export const OWNER_LABEL = 'edgecourier.owner';
/** That process's start time (runtime/run-dir's processStart): a restarted courier has its predecessor's pid. */
export const OWNER_START_LABEL = 'edgecourier.owner-start';
/** The id of the container that process runs in, when it runs in one of this engine's (a service container). */
export const OWNER_CONTAINER_LABEL = 'edgecourier.owner-container';

/** Docker bind-mounts these files of `/var/lib/docker/containers/<id>/` into every container it runs. */
const CONTAINER_FILE = /\/containers\/([0-9a-f]{64})\/(?:hostname|hosts|resolv\.conf)\s/;

/** A process that starts sandboxes, as the sweep judges it. */
export interface SandboxOwner {
  host: string;
  process: ProcessIdentity;
  container?: string;
}

/** This process, looked up once per launcher. */
export async function currentOwner(docker: Docker): Promise<SandboxOwner> {
  return { host: hostname(), process: thisProcess, container: await ownContainerId(docker) };
}

/**
 * The id of the container of `docker` this process runs in, or undefined on a host. The id read from this
 * process's mounts counts only when this engine knows it: a host that is itself a container of another engine
 * has such mounts too, and its processes are in no container of this one.
 */
async function ownContainerId(docker: Docker): Promise<string | undefined> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const id = CONTAINER_FILE.exec(mounts)?.[1];
  return id && (await inspectOrNone(docker.getContainer(id))) ? id : undefined;
}

export function ownerLabels(owner: SandboxOwner): Record<string, string> {
  return {
    [OWNER_LABEL]: `${owner.host}:${owner.process.pid}`,
    ...(owner.process.start ? { [OWNER_START_LABEL]: owner.process.start } : {}),
    ...(owner.container ? { [OWNER_CONTAINER_LABEL]: owner.container } : {}),
  };
}

/**
 * Where `owner` keeps its sandbox folders: in a container, a folder of its own under `runDir`, which replicas of a
 * Compose service share while each has its own pids; the folder sweep can judge only pids of its own kind.
 */
export function ownerRunDir(runDir: string, owner: SandboxOwner): string {
  return owner.container ? join(runDir, owner.container.slice(0, 12)) : runDir;
}

/**
 * Removes the sandbox containers whose starter is gone, as far as `self` can tell: one started by a process that
 * shares its pids (both on this host, or both in one container) when that pid is free or taken by a later process;
 * one started from another container of this engine when that container is gone, stopped, or started again since.
 * Processes whose pids mean nothing here (on the host seen from a container, on another host) are never judged.
 */
export async function removeOrphanSandboxes(docker: Docker, self: SandboxOwner): Promise<void> {
  const sandboxes = await docker.listContainers({ all: true, filters: { label: [OWNER_LABEL] } });
  await Promise.all(
    sandboxes.map(async (info) => {
      if (await ownerGone(docker, self, info.Id, info.Labels))
        await docker
          .getContainer(info.Id)
          .remove({ force: true })
          .catch(() => undefined);
    }),
  );
}

async function ownerGone(docker: Docker, self: SandboxOwner, sandbox: string, labels: Record<string, string>): Promise<boolean> {
  const container = labels[OWNER_CONTAINER_LABEL];
  if (container !== self.container) return container ? containerMovedOn(docker, container, sandbox) : false;
  const owner = labels[OWNER_LABEL] ?? '';
  const colon = owner.lastIndexOf(':');
  if (owner.slice(0, colon) !== self.host) return false;
  return !ownerAlive({ pid: Number(owner.slice(colon + 1)), start: labels[OWNER_START_LABEL] });
}

/** Whether the container that started `sandbox` no longer runs the process that did. */
async function containerMovedOn(docker: Docker, container: string, sandbox: string): Promise<boolean> {
  const owner = await inspectOrNone(docker.getContainer(container));
  if (!owner?.State.Running) return true;
  // Gone meanwhile: nothing left to remove.
  const created = (await inspectOrNone(docker.getContainer(sandbox)))?.Created;
  return created !== undefined && Date.parse(owner.State.StartedAt) > Date.parse(created);
}

async function inspectOrNone(container: Docker.Container): Promise<Docker.ContainerInspectInfo | undefined> {
  return container.inspect().catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 404) throw error;
    return undefined;
  });
}
