/** Activation records over HTTP on real Docker: ids in the answer, the record and its call tree, filters and pages, following live, a restart, the byte budget, and nobody but the owner. */
import test from 'ava';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { serverEvents } from '../../cli/server-events.ts';
import { api, type ApiAnswer } from '../helpers/cloud.ts';
import { makeApp, newUser, sampleFunctions, startDockerCloud } from '../helpers/cloud-apps.ts';
import { useCloud } from '../helpers/use-cloud.ts';

const session = useCloud(test, { docker: true });
const HEADER = 'x-edgecourier-activation';

/** An app with greet (which calls upper), echo, fails and page (an HTTP answer), started, and what to call it with. */
async function shop(url = session.url, token = session.token) {
  const functions = {
    ...sampleFunctions,
    page: { code: "export default () => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'a page' });\n" },
  };
  const app = await makeApp(url, token, functions, [
    { method: 'POST', path: '/greet', function: 'greet' },
    { method: 'POST', path: '/echo', function: 'echo', public: true },
    { method: 'POST', path: '/fails', function: 'fails' },
    { method: 'GET', path: '/page', function: 'page', response: 'http' },
  ]);
  await api(url, 'POST', `/api/v1/apps/${app.id}/start`, undefined, token);
  return {
    id: app.id as string,
    /** `as` '' calls with no token. */
    run: (method: string, path: string, body?: unknown, as = token) => api(url, method, `/run/${app.id}${path}`, body, as),
    get: (path: string, as = token) => api(url, 'GET', `/api/v1${path}`, undefined, as),
  };
}

/** The activation id an answer carries in its header, checked against the one in its body when it has one. */
function idOf(t: { is(a: unknown, b: unknown, message?: string): void; regex(text: string, pattern: RegExp): void }, answer: ApiAnswer): string {
  const id = answer.headers.get(HEADER) ?? '';
  t.regex(id, /^act_[A-Za-z0-9_-]{22}$/);
  if (typeof answer.body === 'object') t.is(answer.body.activationId, id, 'the body names the activation of the header');
  return id;
}

const versionOf = (key: string) => key.split('@')[1]!.split(':')[0]!;

test('endpoint calls and test-invokes answer with their activation id, and the record under it tells what ran, for whom and how it ended', async (t) => {
  const { id, run, get } = await shop();
  const me = (await get('/me')).body.user.id;

  const called = await run('POST', '/greet', { input: { name: 'ada' } });
  t.is(called.status, 200);
  const record = (await get(`/activations/${idOf(t, called)}`)).body;
  t.like(record, {
    appId: id,
    function: 'greet',
    version: versionOf(called.body.key),
    trigger: 'endpoint',
    caller: me,
    outcome: 'ok',
    served: 'executed',
    logs: [{ level: 'log', message: 'greeting ada' }],
  });
  t.is(typeof record.durationMs, 'number');
  t.true(Math.abs(Date.parse(record.start) - Date.now()) < 60_000);

  const failed = await run('POST', '/fails', { input: { why: 'recorded' } });
  t.is(failed.status, 502);
  t.like((await get(`/activations/${idOf(t, failed)}`)).body, {
    function: 'fails',
    outcome: 'FUNCTION_THREW',
    logs: [{ level: 'error', message: 'about to fail' }],
  });
  t.regex((await get(`/activations/${idOf(t, failed)}`)).body.error.message, /refused: recorded/);

  const anonymous = await run('POST', '/echo', { input: 1 }, '');
  t.like((await get(`/activations/${idOf(t, anonymous)}`)).body, { caller: 'anonymous', trigger: 'endpoint' });

  const tested = await api(session.url, 'POST', `/api/v1/apps/${id}/functions/echo/invoke`, { input: 2 }, session.token);
  t.like((await get(`/activations/${idOf(t, tested)}`)).body, { function: 'echo', trigger: 'test-invoke', caller: me });

  const page = await run('GET', '/page');
  t.is(page.text, 'a page', 'an HTTP answer stays the function’s own');
  t.like((await get(`/activations/${idOf(t, page)}`)).body, { function: 'page', outcome: 'ok' });
});

test('a nested ctx.call is an activation of its own: the parent lists it, it names its parent, and a cached result says so', async (t) => {
  const { run, get } = await shop();
  const first = await run('POST', '/greet', { input: { name: 'tree' } });
  const parent = (await get(`/activations/${idOf(t, first)}`)).body;
  t.is(parent.children.length, 1);
  const child = (await get(`/activations/${parent.children[0]}`)).body;
  t.like(child, { function: 'upper', trigger: 'call', parent: parent.id, served: 'executed', outcome: 'ok', children: [] });
  t.is(child.version, versionOf(Object.keys(first.body.cache)[0]!));

  const cached = await run('POST', '/greet', { input: { name: 'tree' }, cache: first.body.cache });
  const again = (await get(`/activations/${idOf(t, cached)}`)).body;
  t.like((await get(`/activations/${again.children[0]}`)).body, { function: 'upper', served: 'cache', parent: again.id });
});

test('the list filters by function, version, outcome and time, newest first, and pages with a cursor', async (t) => {
  const { id, run, get } = await shop();
  const since = new Date().toISOString();
  const ok = await run('POST', '/greet', { input: { name: 'one' } });
  const failed = await run('POST', '/fails', { input: { why: 'listed' } });
  const second = await run('POST', '/greet', { input: { name: 'two' } });
  const list = async (query: string) => (await get(`/apps/${id}/activations?${query}`)).body;
  const ids = async (query: string) => (await list(query)).activations.map((one: { id: string }) => one.id);

  t.deepEqual(await ids('function=greet'), [idOf(t, second), idOf(t, ok)]);
  t.deepEqual(await ids('outcome=error'), [idOf(t, failed)]);
  t.deepEqual(await ids('outcome=FUNCTION_THREW&function=fails'), [idOf(t, failed)]);
  t.deepEqual(await ids(`version=${versionOf(ok.body.key)}&trigger=endpoint`), [idOf(t, second), idOf(t, ok)]);
  t.is((await ids(`function=upper&since=${encodeURIComponent(since)}`)).length, 2, 'nested calls are listed too');
  t.deepEqual(await ids(`until=${encodeURIComponent(since)}`), []);

  const firstPage = await list('limit=2');
  t.is(firstPage.activations.length, 2);
  const rest = await list(`limit=2&cursor=${firstPage.next}`);
  t.deepEqual(
    rest.activations.map((one: { seq: number }) => one.seq < firstPage.activations[1].seq),
    [true, true],
    'the next page is older',
  );
  for (const [query, field] of [
    ['outcome=maybe', /outcome/],
    ['since=yesterday', /since/],
    ['limit=0', /limit/],
    ['fn=greet', /fn/],
  ] as const) {
    const refused = await get(`/apps/${id}/activations?${query}`);
    t.is(refused.status, 400, query);
    t.is(refused.body.error.code, 'INVALID_INPUT');
    t.regex(refused.body.error.message, field);
  }
});

test('a follower gets each new activation as it is recorded, and one that comes back after an id gets what it missed first', async (t) => {
  const { id, run, get } = await shop();
  const controller = new AbortController();
  t.teardown(() => controller.abort());
  const response = await fetch(`${session.url}/api/v1/apps/${id}/activations/follow?function=greet`, {
    headers: { authorization: `Bearer ${session.token}` },
    signal: controller.signal,
  });
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  // The head is sent once the follower is listening: what is called now is told live.
  const called = await run('POST', '/greet', { input: { name: 'live' } });
  const events = serverEvents(response.body!);
  let told;
  for await (const event of events) {
    if (event.event !== 'activation') continue;
    told = { id: event.id, record: JSON.parse(event.data) };
    break;
  }
  t.is(told!.record.id, idOf(t, called));
  t.is(told!.id, String(told!.record.seq));
  t.like(told!.record, { function: 'greet', logs: [{ message: 'greeting live' }] });

  const later = await run('POST', '/greet', { input: { name: 'later' } });
  const missed = await api(
    session.url,
    'GET',
    `/api/v1/apps/${id}/activations/follow?function=greet&seconds=0&after=${told!.record.seq}`,
    undefined,
    session.token,
  );
  const missedIds = [...missed.text.matchAll(/^data: (.*)$/gm)].map(([, data]) => JSON.parse(data!).id);
  t.deepEqual(missedIds, [idOf(t, later)]);
  t.is((await get(`/apps/${id}/activations/follow?seconds=0`, '')).status, 401);
});

test("another user's requests for the list, a follower and a record are answered 404, as for ones that do not exist", async (t) => {
  const { id, run, get } = await shop();
  const stranger = await newUser(session.url);
  const activation = idOf(t, await run('POST', '/echo', { input: 'mine' }));
  for (const path of [`/apps/${id}/activations`, `/apps/${id}/activations/follow?seconds=0`]) {
    t.like(await get(path, stranger), { status: 404, body: { error: { code: 'APP_NOT_FOUND' } } }, path);
  }
  const theirs = await get(`/activations/${activation}`, stranger);
  const none = await get(`/activations/act_${'0'.repeat(22)}`, stranger);
  t.is(theirs.status, 404);
  t.is(theirs.body.error.code, 'ACTIVATION_NOT_FOUND');
  t.deepEqual(theirs.body.error.message.replace(activation, '<id>'), none.body.error.message.replace(`act_${'0'.repeat(22)}`, '<id>'));
  t.is((await get(`/activations/${activation}`)).status, 200, 'the owner reads it');
});

/** Bytes of the files under `dir`. */
async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  return total;
}

test('records survive a restart of the cloud, and stay within the byte budget on disk: the newest kept, the oldest dropped', async (t) => {
  const budget = 256 * 1024;
  let cloud = await startDockerCloud({ activations: { maxBytes: budget } });
  t.teardown(() => cloud.close());
  const token = await newUser(cloud.url);
  const app = await makeApp(cloud.url, token, {
    loud: { code: "export default (n) => { for (let i = 0; i < 15; i++) console.log(String(n) + 'x'.repeat(4000)); return n; };\n" },
  });
  const invoke = async (n: number) => idOf(t, await api(cloud.url, 'POST', `/api/v1/apps/${app.id}/functions/loud/invoke`, { input: n }, token));
  // About 60 KiB each: 12 of them are far past the budget.
  const ids = [];
  for (let n = 0; n < 12; n++) ids.push(await invoke(n));
  const dataDir = cloud.dataDir;
  await cloud.close();

  cloud = await startDockerCloud({ dataDir, activations: { maxBytes: budget } });
  const bytes = await bytesUnder(join(dataDir, 'activations'));
  t.true(bytes <= budget, `${bytes} bytes of records on disk`);
  t.true(bytes > budget / 2, 'the budget is used, not left empty');
  const read = (activation: string) => api(cloud.url, 'GET', `/api/v1/activations/${activation}`, undefined, token);
  t.like(await read(ids.at(-1)!), { status: 200, body: { function: 'loud', outcome: 'ok' } });
  t.like(await read(ids[0]!), { status: 404, body: { error: { code: 'ACTIVATION_NOT_FOUND' } } });
  const listed = (await api(cloud.url, 'GET', `/api/v1/apps/${app.id}/activations`, undefined, token)).body.activations;
  t.is(listed[0].id, ids.at(-1));
  t.regex(listed[0].logs[0].message, /^11x+$/);
  const after = await invoke(12);
  t.is(
    (await api(cloud.url, 'GET', `/api/v1/apps/${app.id}/activations?limit=1`, undefined, token)).body.activations[0].id,
    after,
    'new records come after the old',
  );
});
