/** The activation store without HTTP: records capped, kept on disk within a byte budget shared fairly between owners, read back after a restart, filtered, paged and followed. */
import test from 'ava';
import { appendFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Activation } from '../../api/activations.ts';
import { ActivationStore, MIN_ACTIVATION_BYTES } from '../../cloud/activations/store.ts';
import { newActivationId } from '../../api/activation-ids.ts';
import { ActivationTracker, KEPT_LOG_CHARS, type NewActivation } from '../../cloud/activations/tracker.ts';
import type { LogEntry } from '../../runtime/protocol.ts';
import { MAX_ERROR_MESSAGE_CHARS } from '../../runtime/text-caps.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until } from '../helpers/wait.ts';

/** One string shared by every record: the test itself must not need gigabytes. */
const huge = 'E'.repeat(8e6);
const BUDGET = MIN_ACTIVATION_BYTES;

function record(fields: Partial<NewActivation> = {}): NewActivation {
  return {
    id: newActivationId(),
    appId: 'app_1',
    function: 'f',
    trigger: 'endpoint',
    caller: 'anonymous',
    start: new Date().toISOString(),
    durationMs: 1,
    outcome: 'ok',
    children: [],
    logs: [],
    ...fields,
  };
}

/** A record of about 4 KiB of console output. */
const bulky = (fields: Partial<NewActivation> = {}) => record({ logs: [{ level: 'log', message: 'x'.repeat(4000) }], ...fields });

/** Every store the tests opened, closed at the end: its segment files are open until then. */
const opened: ActivationStore[] = [];
test.after.always(() => Promise.all(opened.map((store) => store.close())));

async function open(dir?: string, maxBytes = BUDGET): Promise<{ store: ActivationStore; dir: string }> {
  const folder = dir ?? join(await tempFolder('ec-activations'), 'activations');
  const store = await ActivationStore.open({ dir: folder, maxBytes });
  opened.push(store);
  return { store, dir: folder };
}

/** Bytes of every segment file under `dir`, as the disk has them. */
async function bytesOnDisk(dir: string): Promise<number> {
  let total = 0;
  for (const owner of await readdir(dir)) for (const name of await readdir(join(dir, owner))) total += (await stat(join(dir, owner, name))).size;
  return total;
}

const all = (store: ActivationStore, owner = 'usr_1', appId = 'app_1') => store.list(owner, appId, { limit: 100_000 });

test('a record keeps at most the capped error message and console output, and says what it cut', (t) => {
  const tracker = new ActivationTracker({ appId: 'app_1', trigger: 'test-invoke', caller: 'usr_1' });
  const logs: LogEntry[] = Array.from({ length: 500 }, () => ({ level: 'log', message: huge }));
  tracker.observe({ index: 0, fn: 'f', version: 'v1', startedAt: Date.now(), durationMs: 1, source: 'executed', logs });
  const [top] = tracker.records('f', { code: 'FUNCTION_THREW', message: huge });
  t.is(top!.id, tracker.id);
  t.is(top!.error!.code, 'FUNCTION_THREW');
  t.true(top!.error!.message.length <= MAX_ERROR_MESSAGE_CHARS);
  t.regex(top!.error!.message, /\[edgecourier: \d+ more characters were cut\]$/);
  t.true(top!.logs.reduce((chars, line) => chars + line.message.length, 0) <= KEPT_LOG_CHARS + 100);
  t.regex(top!.logs.at(-1)!.message, /more log lines were not kept/);
  t.true(JSON.stringify(top).length < 100 * 1024, `a record of ${JSON.stringify(top).length} characters`);
});

test('a call tree becomes one record per call: the parent lists its children in the order they began, each child names its parent', (t) => {
  const tracker = new ActivationTracker({ appId: 'app_1', trigger: 'endpoint', caller: 'usr_2' });
  const trace = (index: number, parent: number | undefined, fn: string, source: 'executed' | 'cache' = 'executed') =>
    tracker.observe({ index, parent, fn, version: `${fn}-v`, startedAt: Date.now(), durationMs: 1, source, logs: [] });
  // Ended in this order: the second child first, its own child before it.
  trace(3, 2, 'leaf', 'cache');
  trace(2, 0, 'second');
  trace(1, 0, 'first');
  trace(0, undefined, 'top');
  const records = tracker.records('top', undefined);
  const byFunction = Object.fromEntries(records.map((one) => [one.function, one]));
  t.is(records.at(-1), byFunction.top, 'the top record comes last');
  t.deepEqual(byFunction.top!.children, [byFunction.first!.id, byFunction.second!.id]);
  t.deepEqual(byFunction.second!.children, [byFunction.leaf!.id]);
  t.like(byFunction.leaf, { parent: byFunction.second!.id, trigger: 'call', caller: 'usr_2', served: 'cache', version: 'leaf-v' });
  t.false('parent' in byFunction.top!);
});

test('the records of every owner stay within the byte budget on disk, the newest kept, the oldest gone', async (t) => {
  const { store, dir } = await open();
  const ids: string[] = [];
  for (let n = 0; n < 300; n++) {
    const one = bulky({ appId: `app_${n % 3}` });
    ids.push(one.id);
    store.add(`usr_${n % 2}`, () => [one]);
  }
  await store.close();
  t.true(store.bytes <= BUDGET, `${store.bytes} bytes kept`);
  t.true(store.bytes > BUDGET / 2, 'the budget is used, not left empty');
  t.is(await bytesOnDisk(dir), store.bytes, 'the disk holds what the store counts');
  t.truthy(await store.get(ids.at(-1)!), 'the newest is kept');
  t.is(await store.get(ids[0]!), undefined, 'the oldest went');
});

test("past the budget, one owner's flood pushes out its own oldest records, never another owner's", async (t) => {
  const { store } = await open();
  const quiet = Array.from({ length: 10 }, () => bulky());
  for (const one of quiet) store.add('usr_quiet', () => [one]);
  for (let n = 0; n < 400; n++) store.add('usr_flood', () => [bulky({ appId: `app_${n % 4}` })]);
  t.deepEqual(
    (await all(store, 'usr_quiet')).map((one) => one.id),
    quiet.map((one) => one.id).reverse(),
    "the quiet owner's records all stay",
  );
  t.true(store.bytes <= BUDGET);
});

test('records are read back after a restart, a line cut short by a crash is passed over, and new records come after the old', async (t) => {
  const { store, dir } = await open();
  const kept = [record({ function: 'a', logs: [{ level: 'warn', message: 'first' }] }), record({ function: 'b', outcome: 'TIMEOUT' })];
  store.add('usr_1', () => kept);
  await store.close();
  const [owner] = await readdir(dir);
  const [segment] = await readdir(join(dir, owner!));
  await appendFile(join(dir, owner!, segment!), '{"id":"act_cut","seq":1');

  const { store: again } = await open(dir);
  const read = await all(again);
  t.deepEqual(
    read.map((one) => one.id),
    kept.map((one) => one.id).reverse(),
  );
  t.like(read[1], { function: 'a', logs: [{ level: 'warn', message: 'first' }] });
  const later = record();
  again.add('usr_1', () => [later]);
  const [newest] = await all(again);
  t.is(newest!.id, later.id);
  t.true(newest!.seq > read[0]!.seq);
});

test('lists filter by function, version, outcome, trigger and start time, page by cursor, and show only the asked app', async (t) => {
  const { store } = await open();
  const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 12, minute)).toISOString();
  store.add('usr_1', () => [
    record({ function: 'a', version: 'v1', start: at(0) }),
    record({ function: 'b', version: 'v1', outcome: 'FUNCTION_THREW', start: at(1) }),
    record({ function: 'a', version: 'v2', outcome: 'TIMEOUT', trigger: 'test-invoke', start: at(2) }),
    record({ function: 'a', version: 'v2', start: at(3) }),
    record({ appId: 'app_other', function: 'a', start: at(4) }),
  ]);
  const starts = async (query: object) => (await store.list('usr_1', 'app_1', { limit: 10, ...query })).map((one) => one.start);
  t.deepEqual(await starts({ function: 'a' }), [at(3), at(2), at(0)]);
  t.deepEqual(await starts({ version: 'v1' }), [at(1), at(0)]);
  t.deepEqual(await starts({ outcome: 'error' }), [at(2), at(1)]);
  t.deepEqual(await starts({ outcome: 'TIMEOUT' }), [at(2)]);
  t.deepEqual(await starts({ outcome: 'ok' }), [at(3), at(0)]);
  t.deepEqual(await starts({ trigger: 'test-invoke' }), [at(2)]);
  t.deepEqual(await starts({ since: Date.parse(at(1)), until: Date.parse(at(3)) }), [at(2), at(1)]);
  const [first, second] = await store.list('usr_1', 'app_1', { limit: 2 });
  t.deepEqual(await starts({ limit: 2, before: second!.seq }), [at(1), at(0)]);
  t.deepEqual(await starts({ after: second!.seq }), [first!.start]);
  t.deepEqual(await store.list('usr_2', 'app_1', { limit: 10 }), [], "another owner's list of the app is empty");
});

test('a follower is told of each new record of its app and owner that passes its filter, until it stops', async (t) => {
  const { store } = await open();
  const told: Activation[] = [];
  const stop = store.follow('usr_1', 'app_1', { outcome: 'error' }, (one) => told.push(one));
  const failed = record({ outcome: 'TIMEOUT' });
  store.add('usr_1', () => [record(), failed, record({ appId: 'app_2', outcome: 'TIMEOUT' })]);
  store.add('usr_2', () => [record({ outcome: 'TIMEOUT' })]);
  stop();
  store.add('usr_1', () => [record({ outcome: 'TIMEOUT' })]);
  t.deepEqual(
    told.map((one) => one.id),
    [failed.id],
  );
});

test('records are made after the answer that adds them is on its way, yet a read at once finds them', async (t) => {
  const { store } = await open();
  let made = 0;
  const [first, second] = [record(), record()];
  store.add('usr_1', () => (made++, [first!]));
  t.is(made, 0, 'the caller does not wait for its records');
  t.is((await store.get(first!.id))?.activation.id, first!.id, 'a read right after the answer finds its record');
  store.add('usr_1', () => (made++, [second!]));
  t.is(made, 1, 'put off again: the second caller does not wait either');
  await until('the second record made with no read asking for it', () => made === 2);
  t.is((await store.get(second!.id))?.activation.id, second!.id);
});

test('a record added after the store closed opens no segment and is not kept', async (t) => {
  const { store, dir } = await open();
  await store.close();
  store.add('usr_1', () => [record()]);
  await store.close();
  t.deepEqual(await readdir(dir).catch(() => []), [], 'not even its folder is made');
  t.deepEqual(await all(store), []);
});

test('a record added just before a clean stop is on disk after it', async (t) => {
  const { store, dir } = await open();
  const last = record();
  store.add('usr_1', () => [last]);
  await store.close();
  const { store: again } = await open(dir);
  t.deepEqual(
    (await all(again)).map((one) => one.id),
    [last.id],
  );
});
