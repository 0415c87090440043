/** @module Builds the courier and cloud images from this checkout on top of the base image, with no registry, each only when its inputs changed. */
import type Docker from 'dockerode';
import { dirname, join } from 'node:path';
import { EdgeError } from '../base/errors.ts';
import { buildHarness } from '../runtime/harness-bundle.ts';
import { findNpmCli, npmBesideNode } from '../runtime/npm-cli.ts';
import { defaultCacheDir } from '../base/paths.ts';
import { BASE_IMAGE_ENV, BASE_IMAGE_NODE, ensureBaseImage } from '../docker/base-image.ts';
import { ensureImage, type ImageRecipe } from '../docker/image-build.ts';
import { contentHash, fileAt, listFolder, listProductionModules, listSources, modulesIdentity, treeEntries } from './project-files.ts';
import { HEALTH_PORTS, ROLE_LABEL, SERVICE_APP_DIR, SERVICE_ENTRYPOINT, SERVICE_HOME, serviceCommand, serviceEnv, type ServiceRole } from './service-config.ts';

export interface ServiceImages {
  courier: string;
  cloud: string;
}

/** Debian's bundle of the host's trusted CAs, where Node's own images and most distributions keep it too. */
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Exec form, so it needs no shell: the port comes from the environment the image sets, or the one a container overrides. */
const healthProbe =
  "fetch('http://127.0.0.1:' + (process.env.EDGECOURIER_HEALTH_PORT || 8080) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))";

/**
 * Returns the courier and cloud images for this checkout, building what the engine lacks: the base image, then
 * npm and CA certificates on it, then production node_modules (named by the lock files), then each role's sources
 * on that (named by their bytes). A source edit rebuilds only the last, small layer.
 * @example const { courier, cloud } = await ensureServiceImages(docker, { log: console.error })
 */
export async function ensureServiceImages(docker: Docker, options: { log?: (line: string) => void; cacheDir?: string } = {}): Promise<ServiceImages> {
  const log = options.log ?? (() => {});
  const harness = await buildHarness(join(options.cacheDir ?? defaultCacheDir(), 'harness'));
  const base = await ensureBaseImage(docker, harness, { log });
  const tools = await ensureImage(docker, await toolsRecipe(base), log);
  const modules = await ensureImage(docker, await modulesRecipe(base, tools), log);
  const sources = await listSources();
  const build = async (role: ServiceRole) => {
    const dockerfile = roleDockerfile(role, modules);
    const ref = `edgecourier-${role}:${await contentHash(dockerfile, sources.files)}`;
    return ensureImage(docker, { ref, dockerfile, context: async () => treeEntries(sources, 'app') }, log);
  };
  return { courier: await build('courier'), cloud: await build('cloud') };
}

/**
 * npm, to install apps' dependencies in the courier (runtime/npm-run.ts runs its script with node: there is no shell),
 * and the host's CA certificates, which node then trusts as the host's does: a registry or a cloud storage API
 * behind a TLS-inspecting proxy is reached the same way. Named by npm's package.json (its version) and the bundle.
 */
async function toolsRecipe(base: string): Promise<ImageRecipe> {
  const npm = await hostNpm();
  const caBundle = await fileAt(HOST_CA_BUNDLE, 'ca-certificates.crt').catch(() => undefined);
  const dockerfile = [
    `FROM ${base}`,
    `COPY npm ${npmBesideNode(BASE_IMAGE_NODE)}`,
    ...(caBundle ? [`COPY ca-certificates.crt ${HOST_CA_BUNDLE}`, `ENV NODE_EXTRA_CA_CERTS=${HOST_CA_BUNDLE}`] : []),
  ].join('\n');
  const ref = `edgecourier-tools:${await contentHash(dockerfile, [await fileAt(join(npm, 'package.json'), 'npm/package.json'), ...(caBundle ? [caBundle] : [])])}`;
  return {
    ref,
    dockerfile,
    context: async () => [...treeEntries(await listFolder(npm, 'npm'), ''), ...(caBundle ? treeEntries({ dirs: [], files: [caBundle] }, '') : [])],
  };
}

/** The folder of the npm that runs here: the image's node (this host's) then finds it where findNpmCli looks first. */
async function hostNpm(): Promise<string> {
  const cli = await findNpmCli();
  if (!cli)
    throw new EdgeError('ENGINE_UNAVAILABLE', `the service images need npm, found neither beside node (${npmBesideNode(process.execPath)}) nor on the PATH`);
  return dirname(dirname(cli));
}

/** `base` stays the image sandboxes run: `from` adds tools that functions must not get. */
async function modulesRecipe(base: string, from: string): Promise<ImageRecipe> {
  const dockerfile = [`FROM ${from}`, `ENV ${BASE_IMAGE_ENV}=${base}`, `COPY node_modules ${SERVICE_APP_DIR}/node_modules`].join('\n');
  const ref = `edgecourier-node-modules:${await contentHash(dockerfile, await modulesIdentity())}`;
  return { ref, dockerfile, context: async () => treeEntries(await listProductionModules(), '') };
}

/** The run-time settings of a role: its default folders, command, port and health check. */
function roleDockerfile(role: ServiceRole, from: string): string {
  const dir = join(SERVICE_HOME, role);
  return [
    `FROM ${from}`,
    `COPY app ${SERVICE_APP_DIR}`,
    `ENV ${serviceEnv(role, dir).join(' ')}`,
    `EXPOSE ${HEALTH_PORTS[role]}`,
    `ENTRYPOINT ${JSON.stringify(SERVICE_ENTRYPOINT)}`,
    `CMD ${JSON.stringify(serviceCommand(role, dir))}`,
    `HEALTHCHECK --interval=10s --timeout=3s CMD ${JSON.stringify([BASE_IMAGE_NODE, '-e', healthProbe])}`,
    `LABEL ${ROLE_LABEL}=${role}`,
  ].join('\n');
}
