/** RequestFolders on a real folder with real inotify: a folder recreated with its old inode, and events the kernel dropped. */
import test from 'ava';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { RequestFolders } from '../../courier/request-folders.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until } from '../helpers/wait.ts';

async function watched(t: { teardown(fn: () => void): void }) {
  const root = await tempFolder('ec-folders');
  mkdirSync(join(root, 'app', 'requests'), { recursive: true });
  const names = new Set<string>();
  const gone: string[] = [];
  const folders = new RequestFolders(root, { name: (path) => names.add(path), gone: (folder) => gone.push(folder) }, pino({ level: 'silent' }));
  t.teardown(() => {
    folders.close();
    void rm(root, { recursive: true, force: true });
  });
  folders.check(join('app', 'requests'));
  await folders.settled();
  return { root, names, gone, folders };
}

test.serial('a requests folder removed and made again, even with its old inode, is watched again and reported gone first', async (t) => {
  const { root, names, gone } = await watched(t);
  const requests = join(root, 'app', 'requests');
  rmSync(requests, { recursive: true });
  mkdirSync(requests);
  await writeFile(join(requests, 'x.json'), '{}');
  await t.notThrowsAsync(until('a file in the new folder reported', () => names.has(join('app', 'requests', 'x.json'))));
  t.deepEqual(gone, [join('app', 'requests')]);
});

// Serial: the kernel's event queue is one per process, and this test overflows it for every watch in it.
test.serial('names the kernel dropped events for (its queue overflowed) are reported by the next listing', async (t) => {
  const { root, names } = await watched(t);
  // Written while the event loop is held, so the kernel's queue of 16,384 events overflows.
  const count = 20_000;
  for (let i = 0; i < count; i++) writeFileSync(join(root, 'app', 'requests', `r${i}.json`), '{}');
  await t.notThrowsAsync(until(`all ${count} names reported`, () => names.size === count, { explain: () => `${names.size} reported` }));
});
