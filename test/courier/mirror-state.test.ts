/** The remote mirror's state file: saves that overlap, and a file left corrupt. */
import test from 'ava';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { MirrorStateFile, type MirrorState } from '../../courier/mirror-state.ts';
import { tempFolder } from '../helpers/temp.ts';

async function setup() {
  const dir = await tempFolder('ec-mirror-state');
  const logs: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as (typeof logs)[number]) });
  return { dir, logs, store: new MirrorStateFile(join(dir, 'mirror.json'), logger) };
}

test('saves that overlap all succeed and leave one valid file holding the latest state', async (t) => {
  const { dir, store } = await setup();
  const revs = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`app/requests/r${i}.json`, `rev${i}`]));
  const states: MirrorState[] = Array.from({ length: 20 }, (_, i) => ({ cursor: `c${i}`, revs: i % 2 ? revs : {}, uploaded: {}, failed: {} }));
  await Promise.all(states.map((state) => store.save(state)));
  t.is((await store.load()).cursor, 'c19');
  t.deepEqual(await readdir(dir), ['mirror.json']);
});

test('a corrupt state file is logged and read as an empty state', async (t) => {
  const { dir, logs, store } = await setup();
  await writeFile(join(dir, 'mirror.json'), '{"cursor":"c2","revs":{},"uploaded":{}}s/r1.json":"rev1"}}');
  t.deepEqual(await store.load(), { revs: {}, uploaded: {}, failed: {} });
  t.true(logs.some((line) => line.level === 40));
});
