/** @module The DockerExecutor: the warm pool over sandboxed containers, the default way functions run. */
import type Docker from 'dockerode';
import { availableParallelism } from 'node:os';
import type { DependencyInstaller } from '../runtime/deps.ts';
import type { Executor } from '../runtime/executor.ts';
import { WarmPool } from '../runtime/warm-pool.ts';
import { ContainerLauncher, defaultContainerLimits, type ContainerLimits } from './container-launcher.ts';
import { NativeImages } from './native-image.ts';
import { EgressNetwork } from './egress-network.ts';

/** How the container pool is sized; every setting has a default. */
export interface ContainerPoolSettings {
  limits?: Partial<ContainerLimits>;
  /** Generic containers kept started for new apps. */
  prestart?: number;
  maxContainers?: number;
  /** Containers one app may have at once; by default as many as the machine has cores, since each has one CPU. */
  maxContainersPerApp?: number;
  /** Top-level calls one container runs at once. */
  concurrency?: number;
  maxQueue?: number;
  /** Calls one owner (a user, a root) may have waiting; past it that owner's calls are refused at once. */
  maxQueuePerOwner?: number;
  /** How long a call may wait for a container before it is answered BUSY. */
  maxWaitMs?: number;
  idleTtlMs?: number;
  /** Ranges (IPv4 CIDR) that sandboxes of apps with egress may reach although private or link-local (docs/sandbox.md#network). */
  egressAllow?: readonly string[];
}

export interface DockerExecutorOptions extends ContainerPoolSettings {
  docker: Docker;
  /** The function base image (ensureBaseImage). */
  image: string;
  /** Short folder for the containers' sockets and app files; it must be visible to the Docker engine at the same path. */
  runDir: string;
  installer: Pick<DependencyInstaller, 'ensure'>;
  /** Progress of long steps (building an image for native modules). */
  log?: (line: string) => void;
}

export class DockerExecutor extends WarmPool implements Executor {
  #egress: EgressNetwork;

  constructor(options: DockerExecutorOptions) {
    const nativeImages = new NativeImages({ docker: options.docker, baseImage: options.image, ...(options.log && { log: options.log }) });
    const egress = new EgressNetwork({ docker: options.docker, allow: options.egressAllow ?? [] });
    super({
      launcher: new ContainerLauncher({
        docker: options.docker,
        image: options.image,
        runDir: options.runDir,
        limits: { ...defaultContainerLimits, ...options.limits },
        imageFor: (depsDir) => nativeImages.imageFor(depsDir),
        egress,
      }),
      installer: options.installer,
      prestart: options.prestart ?? 2,
      maxSandboxes: options.maxContainers ?? 16,
      maxSandboxesPerApp: options.maxContainersPerApp ?? availableParallelism(),
      concurrency: options.concurrency ?? 48,
      maxQueue: options.maxQueue ?? 256,
      maxQueuePerOwner: options.maxQueuePerOwner ?? 64,
      ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
      idleTtlMs: options.idleTtlMs ?? 120_000,
    });
    this.#egress = egress;
  }

  /** Ends the sandboxes, then removes the egress network and its rules unless another process's sandboxes use them. */
  override async close(): Promise<void> {
    await super.close();
    await this.#egress.close();
  }
}
