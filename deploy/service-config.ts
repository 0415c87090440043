/** @module How courier and cloud containers are laid out: paths, environment, ports, labels and commands, shared by the image build and whoever starts them. */
import type Docker from 'dockerode';
import { isAbsolute, join } from 'node:path';
import { EdgeError } from '../base/errors.ts';
import { BASE_IMAGE_NODE } from '../docker/base-image.ts';

export type ServiceRole = 'courier' | 'cloud';

/** Where both service images hold edgecourier itself (the compiled program and production node_modules). */
export const SERVICE_APP_DIR = '/opt/edgecourier';
export const SERVICE_ENTRYPOINT = [BASE_IMAGE_NODE, `${SERVICE_APP_DIR}/dist/edgecourier.js`];
/** Each service keeps everything under `<SERVICE_HOME>/<name>` on the host, mounted at the same path inside. */
export const SERVICE_HOME = '/var/lib/edgecourier';
export const DOCKER_SOCKET = '/var/run/docker.sock';
export const ROLE_LABEL = 'edgecourier.role';
export const NAME_LABEL = 'edgecourier.service';
/** Where each role answers GET /healthz: the cloud on its HTTP port, the courier on its metrics port. */
export const HEALTH_PORTS: Readonly<Record<ServiceRole, number>> = { courier: 9464, cloud: 8080 };

/**
 * The environment that points the runtime's folders into the service's host folder `dir`. Sandboxes are sibling
 * containers whose bind mounts the host's dockerd resolves, so the run dir must be a path that means the same
 * inside and outside; the deps cache sits in the same mount so that installed node_modules can be hard-linked
 * into sandbox folders (link() fails across mounts, and the runtime would fall back to copying).
 */
export function serviceEnv(role: ServiceRole, dir: string): string[] {
  return [
    `EDGECOURIER_RUN_DIR=${join(dir, 'run')}`,
    `EDGECOURIER_CACHE=${join(dir, 'cache')}`,
    `EDGECOURIER_STATE=${join(dir, 'state')}`,
    `EDGECOURIER_HEALTH_PORT=${HEALTH_PORTS[role]}`,
  ];
}

/** The arguments after the entrypoint; `args` adds to them (e.g. the courier's `--root <dir>`). */
export function serviceCommand(role: ServiceRole, dir: string, args: string[] = []): string[] {
  const port = String(HEALTH_PORTS[role]);
  // Every address of the container's own network: only published ports leave it, and a scraper must reach this one.
  if (role === 'courier') return ['courier', '--metrics-port', port, '--metrics-host', '0.0.0.0', ...args];
  return ['cloud', '--data', join(dir, 'data'), '--port', port, ...args];
}

export interface ServiceContainerSpec {
  role: ServiceRole;
  image: string;
  /** The container's name and host name, so its sandboxes' owner labels read `<name>:<pid>`. */
  name: string;
  /** The service's folder on the host, absolute; `<SERVICE_HOME>/<name>` when unset. */
  dir?: string;
  args?: string[];
  /** More `host:container[:ro]` binds, such as a courier's synced root. */
  binds?: string[];
}

/**
 * Create options for a service container. It runs as root with the host's Docker socket mounted, because it
 * starts functions as sibling containers through the host's engine. Whoever controls that socket controls the
 * host, so a service container is root-equivalent on its host: trust the image, and keep function code out of it
 * (functions run in the sandboxes, never in the service's own container). Restart policy, limits and ports are
 * left to the caller.
 * @example await docker.createContainer(serviceContainerOptions({ role: 'courier', image, name: 'courier-1', args: ['--root', root], binds: [`${root}:${root}`] }))
 */
export function serviceContainerOptions(spec: ServiceContainerSpec): Docker.ContainerCreateOptions {
  const dir = spec.dir ?? join(SERVICE_HOME, spec.name);
  if (!isAbsolute(dir)) throw new EdgeError('INVALID_INPUT', `a service folder must be an absolute path, not ${dir}`);
  return {
    name: spec.name,
    Hostname: spec.name,
    Image: spec.image,
    // The socket is root's (or the docker group's, whose id differs from host to host).
    User: '0',
    Cmd: serviceCommand(spec.role, dir, spec.args),
    Env: serviceEnv(spec.role, dir),
    Labels: { [ROLE_LABEL]: spec.role, [NAME_LABEL]: spec.name },
    HostConfig: {
      // One mount for run, cache and state: see serviceEnv.
      Binds: [`${DOCKER_SOCKET}:${DOCKER_SOCKET}`, `${dir}:${dir}`, ...(spec.binds ?? [])],
      // Node as PID 1 would ignore SIGTERM, and every stop would wait out the grace period.
      Init: true,
    },
  };
}
