/** The one-courier-per-root lock against real processes: a live holder keeps it; a dead one, a reused pid or another host's lock does not. */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { takeRootLock } from '../../courier/root-lock.ts';
import { processStart } from '../../base/process-identity.ts';
import { tempFolder } from '../helpers/temp.ts';

let dir: string;
test.before(async () => {
  dir = await tempFolder('ec-lock');
});
test.after.always(() => rm(dir, { recursive: true, force: true }));

async function otherProcess(t: { teardown(fn: () => void): void }): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  await once(child, 'spawn');
  return child;
}

const lockOf = (name: string) => join(dir, name);

test('a live courier on this host keeps its lock; once it is gone the lock is taken over', async (t) => {
  const holder = await otherProcess(t);
  const file = lockOf('live');
  await writeFile(file, JSON.stringify({ host: hostname(), pid: holder.pid, start: processStart(holder.pid!) }));
  await t.throwsAsync(takeRootLock(file, '/synced'), {
    message: `another courier (pid ${holder.pid}) already serves /synced; one root is served by one courier at a time`,
  });
  // The format of earlier couriers, the pid alone, is judged the same way.
  await writeFile(file, String(holder.pid));
  await t.throwsAsync(takeRootLock(file, '/synced'), { message: /another courier \(pid \d+\) already serves/ });
  holder.kill('SIGKILL');
  await once(holder, 'exit');
  const release = await takeRootLock(file, '/synced');
  t.like(JSON.parse(await readFile(file, 'utf8')), { host: hostname(), pid: process.pid });
  await release();
});

test('a lock whose pid now belongs to a later process, or that another host left, is taken over', async (t) => {
  const unrelated = await otherProcess(t);
  for (const [name, owner] of [
    ['reused', { host: hostname(), pid: unrelated.pid, start: '1' }],
    ['other-host', { host: 'another-courier-container', pid: unrelated.pid, start: processStart(unrelated.pid!) }],
  ] as const) {
    const file = lockOf(name);
    await writeFile(file, JSON.stringify(owner));
    const release = await takeRootLock(file, '/synced');
    t.is(JSON.parse(await readFile(file, 'utf8')).pid, process.pid, name);
    await release();
  }
});

const rootLockModule = new URL('../../courier/root-lock.ts', import.meta.url).href;

/**
 * Starts `count` processes that each load the lock module and say `ready`; once all have, they are told to
 * go at the same moment and each reports `took` or `refused`. All stay alive, the winner holding the lock,
 * until every one has reported.
 */
async function contenders(t: { teardown(fn: () => void): void }, file: string, count: number): Promise<string[]> {
  const script = `
    import { takeRootLock } from ${JSON.stringify(rootLockModule)};
    process.stdin.once('data', async () => {
      const outcome = await takeRootLock(${JSON.stringify(file)}, '/synced').then(() => 'took', () => 'refused');
      process.stdout.write(outcome);
    });
    process.stdout.write('ready ');`;
  const children = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['--import=tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    t.teardown(() => child.kill('SIGKILL'));
    let out = '';
    const said = (word: string) =>
      new Promise<void>((resolve) => {
        const check = () => out.includes(word) && resolve();
        child.stdout!.on('data', check);
        check();
      });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    return { child, said, outcome: () => out.replace('ready ', '') };
  });
  await Promise.all(children.map(({ said }) => said('ready')));
  for (const { child } of children) child.stdin!.write('go\n');
  await Promise.all(children.map(({ said }) => Promise.race([said('took'), said('refused')])));
  const outcomes = children.map(({ outcome }) => outcome());
  for (const { child } of children) child.kill('SIGKILL');
  return outcomes;
}

test("couriers that find the same dead owner's lock at the same instant: exactly one takes it over", async (t) => {
  for (let round = 0; round < 3; round++) {
    const dead = await otherProcess(t);
    const owner = { host: hostname(), pid: dead.pid, start: processStart(dead.pid!) };
    dead.kill('SIGKILL');
    await once(dead, 'exit');
    const file = lockOf(`contended-${round}`);
    await writeFile(file, JSON.stringify(owner));
    const outcomes = await contenders(t, file, 6);
    t.is(outcomes.filter((outcome) => outcome === 'took').length, 1, `round ${round}: ${outcomes.join(' ')}`);
  }
});

test('a takeover guard left by a taker that died is abandoned: judged by its process on this host, by its age from another', async (t) => {
  const file = lockOf('abandoned');
  await writeFile(file, JSON.stringify({ host: hostname(), pid: 1, start: '1' }));
  await writeFile(`${file}.takeover`, JSON.stringify({ host: 'another-courier-container', pid: 7 }));
  const longAgo = new Date(Date.now() - 60_000);
  await utimes(`${file}.takeover`, longAgo, longAgo);
  const release = await takeRootLock(file, '/synced');
  t.is(JSON.parse(await readFile(file, 'utf8')).pid, process.pid);
  await release();
  // On this host the taker's process decides, however new the guard.
  await writeFile(file, JSON.stringify({ host: hostname(), pid: 1, start: '1' }));
  await writeFile(`${file}.takeover`, JSON.stringify({ host: hostname(), pid: 1, start: '1' }));
  const again = await takeRootLock(file, '/synced');
  t.is(JSON.parse(await readFile(file, 'utf8')).pid, process.pid);
  await again();
});
