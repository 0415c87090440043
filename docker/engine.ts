/** @module Finds a Docker engine that answers, installing and starting Debian's dockerd when we may. */
import Docker from 'dockerode';
import { spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { access, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../base/errors.ts';

const defaultSocket = '/var/run/docker.sock';
const dockerdLog = '/var/log/edgecourier-dockerd.log';
const startTimeoutMs = 30_000;
const pingTimeoutMs = 3_000;

export interface EnsureEngineOptions {
  log?: (line: string) => void;
  /** Whether a missing engine may be installed with apt-get and started (as root on Debian). Default true. */
  installIfMissing?: boolean;
}

/**
 * Returns a client of a Docker engine that answers `ping`: the one at DOCKER_HOST or the default socket.
 * As root on Debian it installs docker.io and starts dockerd when needed; otherwise it throws
 * ENGINE_UNAVAILABLE with what to do.
 * @example const docker = await ensureEngine({ log: console.log })
 */
export async function ensureEngine(options: EnsureEngineOptions = {}): Promise<Docker> {
  const log = options.log ?? (() => {});
  const docker = connect();
  const failure = await pingFailure(docker);
  if (!failure) return docker;
  if (!(await mayManageLocalEngine(options))) throw fail(`${whereText()} does not answer (${failure}). ${await advice(failure)}`);
  if (await dockerdRunning()) {
    log('dockerd is running; waiting for its socket to answer');
    return waitForLocalEngine(undefined);
  }
  const dockerd = (await dockerdPath()) ?? (await installDocker(log));
  log(`starting ${dockerd} (log: ${dockerdLog})`);
  return waitForLocalEngine(startDockerd(dockerd));
}

function connect(): Docker {
  try {
    return new Docker();
  } catch (error) {
    throw new EdgeError('ENGINE_UNAVAILABLE', `DOCKER_HOST="${process.env.DOCKER_HOST}" is not valid: use unix:///path/to/docker.sock or tcp://host:port.`, {
      cause: error,
    });
  }
}

function whereText(): string {
  return process.env.DOCKER_HOST ? `The Docker engine at DOCKER_HOST=${process.env.DOCKER_HOST}` : `The Docker engine at ${defaultSocket}`;
}

/** Returns why the engine does not answer, or undefined when it does. */
async function pingFailure(docker: Docker): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  // A tcp:// engine that drops packets would leave ping pending for minutes.
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${pingTimeoutMs / 1000} s`), pingTimeoutMs);
  });
  try {
    return await Promise.race([
      docker.ping().then(
        () => undefined,
        (error: unknown) => errorText(error),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.trim() : String(error);
}

/** A dockerd we start listens on the default socket, so starting one only helps when that is where we look. */
async function mayManageLocalEngine(options: EnsureEngineOptions): Promise<boolean> {
  const host = process.env.DOCKER_HOST;
  const local = !host || host === `unix://${defaultSocket}`;
  return local && options.installIfMissing !== false && process.getuid?.() === 0 && (await exists('/etc/debian_version'));
}

async function exists(path: string, mode = constants.F_OK): Promise<boolean> {
  return access(path, mode).then(
    () => true,
    () => false,
  );
}

/** Looks in PATH and the sbin folders, which a non-login root shell may leave out of PATH. */
async function dockerdPath(): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'dockerd');
    if (await exists(candidate, constants.X_OK)) return candidate;
  }
  return undefined;
}

async function dockerdRunning(): Promise<boolean> {
  const pids = (await readdir('/proc').catch(() => [])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'dockerd') return true;
  }
  return false;
}

async function installDocker(log: (line: string) => void): Promise<string> {
  log('Docker is not installed: apt-get update');
  const update = await run('apt-get', ['update']);
  if (update.code !== 0)
    throw fail(`Docker is not installed and apt-get update failed (exit ${update.code}); install Docker or set DOCKER_HOST:\n${update.tail}`);
  log('installing docker.io with apt-get (about 15 s)');
  const install = await run('apt-get', ['install', '-y', 'docker.io'], { DEBIAN_FRONTEND: 'noninteractive' });
  const dockerd = await dockerdPath();
  // The package's attempt to start its service fails without an init system; only a missing dockerd matters.
  if (!dockerd) throw fail(`apt-get install -y docker.io did not install dockerd (exit ${install.code}); install Docker or set DOCKER_HOST:\n${install.tail}`);
  log(`installed ${dockerd}`);
  return dockerd;
}

/** Runs a command to its end and keeps the tail of its output for error messages. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; tail: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ code: -1, tail: errorText(error) }));
    child.on('close', (code) => resolve({ code: code ?? -1, tail: lastLines(output) }));
  });
}

function lastLines(text: string, count = 15): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/** Starts dockerd detached so it outlives us; returns a promise that settles with its exit message if it dies. */
function startDockerd(dockerd: string): Promise<string> {
  const fd = openSync(dockerdLog, 'a');
  try {
    const child = spawn(dockerd, [], { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    return new Promise((resolve) => {
      child.on('error', (error) => resolve(`could not start ${dockerd}: ${errorText(error)}`));
      child.on('exit', (code, signal) => resolve(`dockerd exited (${signal ?? `code ${code}`})`));
    });
  } finally {
    closeSync(fd);
  }
}

/** Polls the default socket until it answers; `exited` settles if the dockerd we started dies first. */
async function waitForLocalEngine(exited: Promise<string> | undefined): Promise<Docker> {
  const docker = new Docker({ socketPath: defaultSocket });
  let death: string | undefined;
  void exited?.then((message) => {
    death = message;
  });
  const deadline = Date.now() + startTimeoutMs;
  let failure = await pingFailure(docker);
  while (failure && !death && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    failure = await pingFailure(docker);
  }
  if (!failure) return docker;
  // Another process may have started dockerd a moment before us, so ours quit on its pid file lock.
  if (death && (await dockerdRunning())) return waitForLocalEngine(undefined);
  if (!exited)
    throw fail(
      `dockerd is running but ${defaultSocket} did not answer within ${startTimeoutMs / 1000} s (${failure}): check its log, restart it, or set DOCKER_HOST to an engine that runs.`,
    );
  const why = death ?? `${defaultSocket} did not answer within ${startTimeoutMs / 1000} s`;
  throw fail(`We started dockerd but ${why}; fix what its log says or set DOCKER_HOST to an engine that runs. The end of ${dockerdLog}:\n${await logTail()}`);
}

async function logTail(): Promise<string> {
  return lastLines(await readFile(dockerdLog, 'utf8').catch(() => '(empty)'));
}

function fail(message: string): EdgeError {
  return new EdgeError('ENGINE_UNAVAILABLE', message);
}

/** What the user should do, fitted to why the engine did not answer and what this machine has. */
async function advice(failure: string): Promise<string> {
  if (failure.includes('EACCES')) return 'Run as root or as a member of the docker group, or set DOCKER_HOST to an engine you may use.';
  if (process.env.DOCKER_HOST) return `Start the engine there, correct DOCKER_HOST, or unset it to use the local engine at ${defaultSocket}.`;
  const dockerd = await dockerdPath();
  const alternative = 'or set DOCKER_HOST to an engine that runs';
  if (!dockerd) return `Install Docker (on Debian, as root: apt-get install -y docker.io), start dockerd, ${alternative}.`;
  if (await dockerdRunning()) return `dockerd is running but its socket does not answer: check its log, restart it, ${alternative}.`;
  return `Docker is installed but not running: start it (as root: ${dockerd} > /var/log/dockerd.log 2>&1 &), ${alternative}.`;
}
