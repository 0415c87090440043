/** The cloud's profile store on disk: written on close and read back, within its budgets fairly between owners, and a damaged file starting it empty with a warning. */
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProfileStore } from '../../cloud/profiles/store.ts';
import type { ProfileSample } from '../../runtime/profiles.ts';
import { tempFolder } from '../helpers/temp.ts';

const sample = (version: string, at: number): ProfileSample => ({
  function: 'greet',
  version,
  place: 'cloud',
  outcome: 'ok',
  source: 'executed',
  durationMs: 5,
  at,
});

async function open(file: string, options: { maxBytes?: number; maxBytesPerOwner?: number } = {}) {
  const warnings: string[] = [];
  const store = await ProfileStore.open({ file, ...options, onWarning: (_error, message) => warnings.push(message) });
  return { store, warnings };
}

test('profiles are written on close and read back as they were, with the app version each ran on', async (t) => {
  const file = join(await tempFolder('ec-profile-store'), 'profiles.json');
  const { store } = await open(file);
  store.record('app:a', 'alice', sample('v1', 1000), 'tree1');
  store.record('app:a', 'alice', sample('v1', 2000), 'tree1');
  const before = store.summaries('app:a');
  await store.close();
  const { store: again, warnings } = await open(file);
  t.deepEqual(again.summaries('app:a'), before);
  t.like(before, [{ calls: 2, appVersion: 'tree1' }]);
  t.deepEqual(warnings, []);
});

test('a call is counted after the answer it belongs to is on its way, yet a read at once sees it, and a clean stop writes it', async (t) => {
  const file = join(await tempFolder('ec-profile-store'), 'profiles.json');
  const { store } = await open(file);
  store.record('app:a', 'alice', sample('v1', 1000), 'tree1');
  t.like(store.summaries('app:a'), [{ calls: 1, appVersion: 'tree1' }], 'a read right after the answer counts it');
  store.record('app:a', 'alice', sample('v1', 2000), 'tree1');
  await store.close();
  t.like((await open(file)).store.summaries('app:a'), [{ calls: 2 }], 'the one recorded just before the stop is written too');
});

test("past its budget an owner loses its own least recently called versions, never another owner's", async (t) => {
  const file = join(await tempFolder('ec-profile-store'), 'profiles.json');
  // A digest of one call is about 400 bytes: room for about five of one owner's, ten in all.
  const { store } = await open(file, { maxBytes: 4000, maxBytesPerOwner: 2000 });
  store.record('app:b', 'bob', sample('bob-1', 1), 'tb');
  for (let i = 0; i < 50; i++) store.record('app:a', 'alice', sample(`alice-${i}`, 1000 + i));
  await store.close();
  const { store: again } = await open(file);
  t.deepEqual(
    again.summaries('app:b').map((profile) => profile.version),
    ['bob-1'],
    "bob's one version stays although alice called hers later",
  );
  const alice = again.summaries('app:a').map((profile) => profile.version);
  t.true(alice.length > 0 && alice.length < 50, `${alice.length} of alice's versions kept`);
  t.is(alice[0], 'alice-49', 'the most recently called kept');
  t.true((await readFile(file, 'utf8')).length <= 4000 + 1000, 'the file within the budget and its framing');
});

test('a profile in the file that does not pass the schema is left out with a warning, and the store works on', async (t) => {
  const file = join(await tempFolder('ec-profile-store'), 'profiles.json');
  await writeFile(file, '{"format":"edgecourier-profiles/1","books":[{"key":"app:a","owner":"x","appVersions":{},"digests":[{"function":"greet"}]}]}');
  const { store, warnings } = await open(file);
  t.deepEqual(store.summaries('app:a'), []);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /held 1 profiles this cloud cannot read; they were left out/);
  store.record('app:a', 'x', sample('v1', 1));
  await store.close();
  t.like((await open(file)).store.summaries('app:a'), [{ calls: 1 }]);
});

test('a file that is not JSON starts the store empty with a warning', async (t) => {
  const file = join(await tempFolder('ec-profile-store'), 'profiles.json');
  await writeFile(file, '{"format":');
  const { store, warnings } = await open(file);
  t.deepEqual(store.summaries('app:a'), []);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /is not JSON; starting with no profiles/);
});
