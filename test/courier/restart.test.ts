/** A courier killed with SIGKILL mid-batch and started again loses no request, never writes a second result for a finished one, and leaves no stale pending file. */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropRequest, makeRoot, readPending, sleep, waitForResult } from '../helpers/courier.ts';
import { waitFor } from '../helpers/wait.ts';

const cli = fileURLToPath(new URL('../../dist/edgecourier.js', import.meta.url));
const BATCH = 200;

function startCourierProcess(root: string, state: string): ChildProcess {
  return spawn(process.execPath, [cli, 'courier', '--root', root, '--state', state, '--settle-ms', '200'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function resultNames(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((name) => /^r\d+\.json$/.test(name));
}

test('SIGKILL in the middle of 200 requests, then a restart: each request has exactly one correct result', async (t) => {
  const { root, state } = await makeRoot('basic');
  const results = join(root, 'basic', 'results');
  let courier = startCourierProcess(root, state);
  for (let i = 0; i < BATCH; i++) await dropRequest(root, 'basic', `r${i}`, { function: 'slow', input: { ms: 20 + (i % 5) } });
  const deadline = Date.now() + 60_000;
  while ((await resultNames(results)).length < 40 && Date.now() < deadline) await sleep(20);
  courier.kill('SIGKILL');
  await new Promise((resolve) => courier.once('exit', resolve));
  const before = new Map<string, { ino: number; mtimeMs: number }>();
  for (const name of await resultNames(results)) {
    const info = await stat(join(results, name));
    before.set(name, { ino: info.ino, mtimeMs: info.mtimeMs });
  }
  t.true(before.size >= 40 && before.size < BATCH, `killed with ${before.size} of ${BATCH} results written`);

  courier = startCourierProcess(root, state);
  try {
    for (let i = 0; i < BATCH; i++) {
      const result = await waitForResult(root, 'basic', `r${i}`, 90_000);
      t.deepEqual(result.ok ? result.output : result.error, { slept: 20 + (i % 5) }, `r${i}`);
    }
    await sleep(1500);
    t.is((await resultNames(results)).length, BATCH);
    t.deepEqual(
      (await readdir(results)).filter((name) => name.endsWith('.pending.json')),
      [],
      'every request has its result, and no pending file stays beside one',
    );
    for (const [name, was] of before) {
      const now = await stat(join(results, name));
      t.deepEqual({ ino: now.ino, mtimeMs: now.mtimeMs }, was, `${name} was finished before the kill and must not be written again`);
    }
  } finally {
    courier.kill('SIGTERM');
    await new Promise((resolve) => courier.once('exit', resolve));
  }
});

test('after a SIGKILL, recovery removes the pending files of a request answered just before it and of one removed while the courier was down, and keeps the one of a request still running', async (t) => {
  const { root, state } = await makeRoot('basic');
  const results = join(root, 'basic', 'results');
  let courier = startCourierProcess(root, state);
  // Long enough to show pending files (after 1 s), and for "running" to be still running well after the restart.
  for (const id of ['answered', 'running', 'removed']) await dropRequest(root, 'basic', id, { function: 'slow', input: { ms: 9000 } });
  const [answered] = await Promise.all(
    ['answered', 'running', 'removed'].map((id) => waitFor(`the pending file of ${id}`, () => readPending(root, 'basic', id), { timeoutMs: 60_000 })),
  );
  courier.kill('SIGKILL');
  await new Promise((resolve) => courier.once('exit', resolve));
  await rm(join(root, 'basic', 'requests', 'removed.json'));
  // What a courier killed right after writing a result leaves: the result beside the pending file, and the journal still saying accepted.
  const result = { ok: true, output: { slept: 9000 }, key: 'slow@x:y', logs: [], stats: { executed: 1 }, request: { sha256: answered!.request.sha256 } };
  await writeFile(join(results, 'answered.json'), JSON.stringify(result));
  const written = await stat(join(results, 'answered.json'));

  courier = startCourierProcess(root, state);
  try {
    await waitFor(
      'the pending file of the answered request to go',
      async () => ((await readPending(root, 'basic', 'answered')) === undefined ? true : undefined),
      { timeoutMs: 60_000 },
    );
    await waitFor(
      'the pending file of the removed request to go',
      async () => ((await readPending(root, 'basic', 'removed')) === undefined ? true : undefined),
      { timeoutMs: 60_000 },
    );
    t.truthy(await readPending(root, 'basic', 'running'), 'the request that runs again still says it is pending');
    t.like(await waitForResult(root, 'basic', 'running', 60_000), { ok: true, output: { slept: 9000 } });
    await waitFor('the pending file of the finished request to go', async () =>
      (await readPending(root, 'basic', 'running')) === undefined ? true : undefined,
    );
    const now = await stat(join(results, 'answered.json'));
    t.deepEqual({ ino: now.ino, mtimeMs: now.mtimeMs }, { ino: written.ino, mtimeMs: written.mtimeMs }, 'the answered request is not run again');
  } finally {
    courier.kill('SIGTERM');
    await new Promise((resolve) => courier.once('exit', resolve));
  }
});

test('requests dropped while the courier is down are answered when it starts, and SIGTERM lets it exit cleanly', async (t) => {
  const { root, state } = await makeRoot('basic');
  for (let i = 0; i < 5; i++) await dropRequest(root, 'basic', `down${i}`, { function: 'upper', input: { text: `d${i}` } });
  const courier = startCourierProcess(root, state);
  const exited = new Promise((resolve) => courier.once('exit', resolve));
  try {
    // A fresh courier process starts its engine connection and sandboxes first, which a loaded machine makes slow.
    for (let i = 0; i < 5; i++) t.like(await waitForResult(root, 'basic', `down${i}`, 90_000), { ok: true, output: `D${i}` });
  } finally {
    // Also when a result never came: a courier left running keeps the test process from exiting.
    courier.kill('SIGTERM');
  }
  t.is(await exited, 0);
});
