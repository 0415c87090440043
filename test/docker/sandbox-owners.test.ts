/** @module On real Docker: a process that starts again removes the sandboxes its predecessor left, in a container too, and never a live process's. */
import test from 'ava';
import type Docker from 'dockerode';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureEngine } from '../../docker/engine.ts';
import { createExecutor } from '../../docker/executor-factory.ts';
import { OWNER_CONTAINER_LABEL, OWNER_LABEL, OWNER_START_LABEL } from '../../docker/sandbox-owner.ts';
import { serviceContainerOptions } from '../../deploy/service-config.ts';
import { ownerAlive, thisProcess } from '../../base/process-identity.ts';
import { ensureServiceImages } from '../../deploy/service-images.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until } from '../helpers/wait.ts';
import { removeContainers } from '../helpers/containers.ts';

const holderScript = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'sandbox-holder.ts');

let docker: Docker;
let base: string;
let cacheDir: string;
let runDir: string;
const holders: ChildProcess[] = [];
let courier: Docker.Container | undefined;

test.before(async () => {
  docker = await ensureEngine();
  base = await tempFolder('ec-owners');
  cacheDir = join(base, 'cache');
  runDir = join(base, 'run');
});

test.after.always(async () => {
  for (const holder of holders) holder.kill('SIGKILL');
  await courier?.remove({ force: true }).catch(() => undefined);
  const labels = [...holders.map((holder) => `${OWNER_LABEL}=${hostname()}:${holder.pid}`), ...(courier ? [`${OWNER_CONTAINER_LABEL}=${courier.id}`] : [])];
  for (const label of labels) {
    const left = await docker.listContainers({ all: true, filters: { label: [label] } });
    await removeContainers(docker, left);
  }
  if (base) await rm(base, { recursive: true, force: true });
});

/** A process of this host holding one sandbox in the shared run folder, once that sandbox runs. */
async function startHolder(): Promise<ChildProcess> {
  const holder = spawn(process.execPath, ['--import', 'tsx', holderScript, cacheDir, runDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  holders.push(holder);
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    holder.once('exit', (code) => reject(new Error(`the sandbox holder exited with code ${code} before it was ready`)));
  });
  return holder;
}

async function killHolder(holder: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => holder.once('exit', resolve));
  holder.kill('SIGKILL');
  await exited;
}

async function sandboxes(label: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [label] } });
}

const holderLabel = (holder: ChildProcess) => `${OWNER_LABEL}=${hostname()}:${holder.pid}`;

/** What a process starting on this host does first: its executor's start sweeps, then it is closed again. */
async function hostProcessStarts(): Promise<void> {
  const { executor } = await createExecutor({ cacheDir, runDir, prestart: 0 });
  await executor.close();
}

test('a live pid started at another time is another process: the owner counts as gone', (t) => {
  t.true(ownerAlive(thisProcess));
  t.false(ownerAlive({ pid: process.pid, start: `${Number(thisProcess.start) - 1}` }));
  t.true(ownerAlive({ pid: process.pid }), 'without a start time, the pid alone decides');
});

test.serial("a process starting on a host removes the sandboxes and folders of a killed process, and keeps a live one's", async (t) => {
  const [killed, live] = [await startHolder(), await startHolder()];
  const [killedBox] = await sandboxes(holderLabel(killed));
  t.truthy(killedBox, 'the killed process had a sandbox');
  t.truthy(killedBox!.Labels[OWNER_START_LABEL], 'its start time is in the labels');
  t.true((await readdir(runDir)).some((name) => name.startsWith(`${killed.pid}-`)));
  await killHolder(killed);

  await hostProcessStarts();
  t.deepEqual(await sandboxes(holderLabel(killed)), []);
  t.false(
    (await readdir(runDir)).some((name) => name.startsWith(`${killed.pid}-`)),
    'its sandbox folder is gone',
  );
  t.is((await sandboxes(holderLabel(live))).filter((info) => info.State === 'running').length, 1, 'the live process keeps its sandbox');
  t.true(
    (await readdir(runDir)).some((name) => name.startsWith(`${live.pid}-`)),
    'and its folder',
  );
});

test.serial(
  "a courier restarted in its container removes its predecessor's sandboxes and no one else's; a host sweep removes them once the container is gone",
  async (t) => {
    const live = await startHolder();
    const { courier: image } = await ensureServiceImages(docker);
    const dir = join(base, 'courier');
    const root = join(base, 'root');
    await mkdir(root);
    const options = serviceContainerOptions({
      role: 'courier',
      image,
      name: `ec-test-owner-${process.pid}`,
      dir,
      args: ['--root', root],
      binds: [`${root}:${root}`],
    });
    courier = await docker.createContainer({ ...options, HostConfig: { ...options.HostConfig, RestartPolicy: { Name: 'unless-stopped' } } });
    await courier.start();
    const ours = `${OWNER_CONTAINER_LABEL}=${courier.id}`;
    await until('the courier runs its pre-started sandboxes', async () => (await sandboxes(ours)).some((info) => info.State === 'running'));
    const before = await sandboxes(ours);
    const [pid] = before[0]!.Labels[OWNER_LABEL]!.split(':').slice(-1);
    const start = before[0]!.Labels[OWNER_START_LABEL];

    await hostProcessStarts();
    t.true(
      (await sandboxes(ours)).some((info) => info.State === 'running'),
      "a host sweep keeps a live courier container's sandboxes",
    );

    // The courier process dies on its own, as a crash would: its init ends with it, and the restart policy starts it again.
    const exec = await courier.exec({ Cmd: ['/usr/bin/node', '-e', `process.kill(${pid}, 'SIGKILL')`], AttachStdout: true, AttachStderr: true });
    const output = await exec.start({});
    await new Promise((resolve) => output.on('close', resolve).on('end', resolve).resume());
    await until('the container restarted and its new courier started sandboxes', async () => {
      const now = await sandboxes(ours);
      return (await courier!.inspect()).RestartCount >= 1 && now.some((info) => info.Labels[OWNER_START_LABEL] !== start && info.State === 'running');
    });
    const after = await sandboxes(ours);
    // Often the very pid of its predecessor: the new pid namespace hands them out in the same order.
    t.log(`owner before: ${before[0]!.Labels[OWNER_LABEL]}, after: ${after.find((info) => info.Labels[OWNER_START_LABEL] !== start)!.Labels[OWNER_LABEL]}`);
    t.deepEqual(
      after.filter((info) => before.some((old) => old.Id === info.Id)),
      [],
      "the predecessor's sandboxes are gone",
    );
    const folders = await readdir(join(dir, 'run', courier.id.slice(0, 12)));
    t.false(
      folders.some((name) => name.startsWith(`${pid}-${start}-`)),
      'and so are their folders',
    );
    t.is((await sandboxes(holderLabel(live))).length, 1, "a host process's sandbox is left alone");

    // Killed with the container, the courier cleans nothing up; a process on the host then can.
    const { Id } = await courier.inspect();
    await courier.remove({ force: true });
    courier = undefined;
    await hostProcessStarts();
    t.deepEqual(await sandboxes(`${OWNER_CONTAINER_LABEL}=${Id}`), []);
    t.is((await sandboxes(holderLabel(live))).length, 1);
  },
);
