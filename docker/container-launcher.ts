/** @module Starts harnesses in sandboxed Docker containers: no network (or held-in egress), read-only root, unprivileged, limited. */
import type Docker from 'dockerode';
import { rm } from 'node:fs/promises';
import { defaultOperatorLimits } from '../runtime/operator-limits.ts';
import type { ErrorBody } from '../base/errors.ts';
import { HarnessConnection } from '../runtime/harness-connection.ts';
import { openRendezvous } from '../runtime/rendezvous.ts';
import { makeSandboxDir, removeDeadSandboxDirs } from '../runtime/run-dir.ts';
import type { Sandbox, SandboxKind, SandboxLauncher } from '../runtime/sandbox.ts';
import type { EgressNetwork } from './egress-network.ts';
import { currentOwner, ownerLabels, ownerRunDir, removeOrphanSandboxes, type SandboxOwner } from './sandbox-owner.ts';

const START_TIMEOUT_MS = 20_000;
/** The uid:gid of `nobody`: functions never run as root, not even the container's root. */
const SANDBOX_USER = '65534:65534';

/** Limits of one container; every function call in it shares them. */
export interface ContainerLimits {
  memoryMb: number;
  cpus: number;
  pidsLimit: number;
  tmpfsMb: number;
}

export const defaultContainerLimits: ContainerLimits = { memoryMb: 512, cpus: 1, pidsLimit: 128, tmpfsMb: 64 };

export interface ContainerLauncherOptions {
  docker: Docker;
  image: string;
  runDir: string;
  limits: ContainerLimits;
  /** The image for an app's installed dependencies when the base image lacks libraries they load (NativeImages). */
  imageFor?: (depsDir: string) => Promise<string | undefined>;
  /** The network of sandboxes whose app declares egress. */
  egress: EgressNetwork;
}

/**
 * The container settings that make the sandbox; one place to read what a function may and may not do.
 * `egressNetwork` names the Docker network of a sandbox with egress; without it the sandbox has no network.
 */
export function sandboxConfig(
  image: string,
  sandboxDir: string,
  limits: ContainerLimits,
  labels: Record<string, string>,
  egressNetwork?: string,
): Docker.ContainerCreateOptions {
  return {
    Image: image,
    Cmd: ['/ec/h.sock', 'container', String(defaultOperatorLimits.defaultMemoryMb)],
    User: SANDBOX_USER,
    Env: [],
    WorkingDir: '/ec/app',
    NetworkDisabled: !egressNetwork,
    Labels: labels,
    HostConfig: {
      Binds: [`${sandboxDir}:/ec:ro`],
      NetworkMode: egressNetwork ?? 'none',
      // The egress rules are IPv4 rules; with IPv6 off, no IPv6 address is reached around them.
      ...(egressNetwork && { Sysctls: { 'net.ipv6.conf.all.disable_ipv6': '1' } }),
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': `rw,noexec,nosuid,nodev,size=${limits.tmpfsMb}m,uid=65534,gid=65534,mode=1700` },
      Memory: limits.memoryMb * 1024 * 1024,
      MemorySwap: limits.memoryMb * 1024 * 1024,
      NanoCpus: Math.round(limits.cpus * 1e9),
      PidsLimit: limits.pidsLimit,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Init: true,
      IpcMode: 'private',
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}

/** The harness's socket closes a moment before the engine records the container's end, so wait for it first. */
async function exitReason(container: Docker.Container, limits: ContainerLimits): Promise<ErrorBody> {
  await Promise.race([container.wait().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  const { State } = await container.inspect();
  if (State.OOMKilled) {
    return { code: 'OUT_OF_MEMORY', message: `the app's container used more than its ${limits.memoryMb} MB and was stopped; every call running in it failed` };
  }
  return { code: 'SANDBOX_FAILED', message: `the app's container ended (exit code ${State.ExitCode}${State.Error ? `: ${State.Error}` : ''})` };
}

export class ContainerLauncher implements SandboxLauncher {
  #options: ContainerLauncherOptions;
  #owner: Promise<SandboxOwner> | undefined;

  constructor(options: ContainerLauncherOptions) {
    this.#options = options;
  }

  /** Starts a container of the base image, or of the image a variant (variantFor) names, with the network `kind` asks for. */
  async launch(kind: SandboxKind): Promise<Sandbox> {
    const { docker, limits } = this.#options;
    const image = kind.variant ?? this.#options.image;
    const egressNetwork = kind.network === 'egress' ? await this.#options.egress.ensure() : undefined;
    const owner = await this.#self();
    const { id, dir, appDir } = await makeSandboxDir(ownerRunDir(this.#options.runDir, owner));
    const rendezvous = await openRendezvous(dir);
    let container: Docker.Container | undefined;
    const kill = async () => {
      rendezvous.close();
      await container?.remove({ force: true }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    };
    try {
      container = await docker.createContainer({ name: `edgecourier-${id}`, ...sandboxConfig(image, dir, limits, ownerLabels(owner), egressNetwork) });
      await container.start();
      const socket = await rendezvous.connected(START_TIMEOUT_MS);
      const started = container;
      const connection = new HarnessConnection(socket, () => exitReason(started, limits));
      connection.onClose(() => void kill());
      return { id, connection, hostAppDir: appDir, appPath: '/ec/app', kill };
    } catch (error) {
      await kill();
      throw error;
    }
  }

  async variantFor(depsDir: string): Promise<string | undefined> {
    return this.#options.imageFor?.(depsDir);
  }

  /** Removes the containers and folders of sandboxes whose starter is gone, this process's predecessor's among them. */
  async cleanup(): Promise<void> {
    const owner = await this.#self();
    await removeOrphanSandboxes(this.#options.docker, owner);
    await removeDeadSandboxDirs(ownerRunDir(this.#options.runDir, owner));
    await this.#options.egress.cleanup();
  }

  #self(): Promise<SandboxOwner> {
    this.#owner ??= currentOwner(this.#options.docker);
    return this.#owner;
  }
}
