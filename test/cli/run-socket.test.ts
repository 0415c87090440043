/**
 * @module `edgecourier run` while a service of the same user runs on the machine: it runs in the service's warm
 * sandboxes instead of a container of its own, and on its own again once the service stops.
 */
import test from 'ava';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliPath } from '../../build/dist.ts';
import { runSocketPath } from '../../base/paths.ts';
import { copyFixtureApp } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until } from '../helpers/wait.ts';

interface Run {
  code: number;
  stderr: string;
  output: any;
}

async function run(app: string, fn: string, ...flags: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cliPath, 'run', app, fn, ...flags], { timeout: 120_000 });
    return { code: 0, stderr, output: JSON.parse(stdout).output };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr, output: undefined };
  }
}

const THROUGH_SERVICE = /ran in the sandboxes of the edgecourier service running here/;

let service: ChildProcess | undefined;
let serviceLog = '';

test.after.always(() => {
  service?.kill('SIGKILL');
});

test.serial('while a courier runs, two runs share its warm sandbox; once it stops, run starts a container of its own', async (t) => {
  const app = await copyFixtureApp('tenant');
  const root = await tempFolder('ec-run-socket');
  service = spawn(process.execPath, [cliPath, 'courier', '--root', root, '--state', join(root, '..', 'state')], { stdio: ['ignore', 'pipe', 'pipe'] });
  service.stdout!.setEncoding('utf8').on('data', (chunk: string) => (serviceLog += chunk));
  service.stderr!.setEncoding('utf8').on('data', (chunk: string) => (serviceLog += chunk));
  await until('the courier answering runs', () => existsSync(runSocketPath()), { timeoutMs: 120_000, explain: () => serviceLog.slice(-2000) });

  const first = await run(app, 'peek');
  const second = await run(app, 'peek');
  t.is(first.code, 0, first.stderr);
  t.regex(first.stderr, THROUGH_SERVICE);
  t.regex(second.stderr, THROUGH_SERVICE);
  // One container, kept warm by the service: the second call sees the first's module state.
  t.is(second.output?.host, first.output?.host);
  t.is(second.output?.calls, (first.output?.calls ?? 0) + 1);
  t.regex(serviceLog, /"msg":"run"/, 'the service logs the runs it answers');

  // A --secrets file's values reach the service over its socket, for that run's app, and never its log.
  const secret = `sk-${randomUUID()}`;
  const secrets = join(root, '..', 'secrets.json');
  await writeFile(secrets, JSON.stringify({ API_KEY: secret }), { mode: 0o600 });
  const configured = await run(await copyFixtureApp('configured'), 'env', '--secrets', secrets);
  t.is(configured.code, 0, configured.stderr);
  t.regex(configured.stderr, THROUGH_SERVICE);
  t.is(configured.output?.env.API_KEY, secret);
  t.false(serviceLog.includes(secret), "the service's log holds the secret");

  const local = await run(app, 'peek', '--local');
  t.is(local.code, 0, local.stderr);
  t.notRegex(local.stderr, THROUGH_SERVICE, '--local never goes to the service: it promises plain processes');

  service.kill('SIGTERM');
  await new Promise((resolve) => service!.once('exit', resolve));
  t.false(existsSync(runSocketPath()), 'a stopped service leaves no socket behind');
  const alone = await run(app, 'peek');
  t.is(alone.code, 0, alone.stderr);
  t.notRegex(alone.stderr, THROUGH_SERVICE);
  t.not(alone.output?.host, first.output?.host, 'a container of its own');
});
