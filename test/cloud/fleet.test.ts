/** The fleet registry over real HTTP: users' roots, operator-only courier routes, and leases that never let two couriers hold one root. */
import test, { type ExecutionContext } from 'ava';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { api, freshEmail, grantOperator, startTestCloud, type TestCloud, type TestCloudOptions } from '../helpers/cloud.ts';

const OPERATOR = 'operator@example.com';
const SECRET = 'sl.plain-refresh-token-that-must-never-show';
const dropboxRoot = (path = '/edge') => ({ kind: 'dropbox', path, credentials: { DROPBOX_REFRESH_TOKEN: SECRET, DROPBOX_APP_KEY: 'app-key' } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An API token of a new account. */
async function apiToken(cloud: TestCloud, email = freshEmail('fleet')): Promise<string> {
  await api(cloud.url, 'POST', '/api/v1/accounts', { email, password: 'correct horse' });
  const session = await api(cloud.url, 'POST', '/api/v1/sessions', { email, password: 'correct horse' });
  return (await api(cloud.url, 'POST', '/api/v1/tokens', { name: 'courier' }, session.body.token)).body.token as string;
}

interface Fleet {
  cloud: TestCloud;
  operator: string;
  user: string;
  call(method: string, path: string, body?: unknown, token?: string): ReturnType<typeof api>;
  /** Registers a courier and returns its id. */
  courier(name: string): Promise<string>;
  /** Heartbeats and returns the root ids assigned. */
  beat(courierId: string, serving?: string[]): Promise<string[]>;
  addRoots(count: number): Promise<string[]>;
}

/** An API token of a new account made an operator the way the cloud's administrator does. */
async function operatorToken(cloud: TestCloud, email = OPERATOR): Promise<string> {
  const token = await apiToken(cloud, email);
  await grantOperator(cloud.dataDir, email);
  return token;
}

async function startFleet(t: ExecutionContext, options: TestCloudOptions = {}): Promise<Fleet> {
  const cloud = await startTestCloud({ smtp: false, ...options });
  t.teardown(() => cloud.close());
  return fleetOn(cloud, await operatorToken(cloud), await apiToken(cloud));
}

function fleetOn(cloud: TestCloud, operator: string, user: string): Fleet {
  const call = (method: string, path: string, body?: unknown, token = operator) => api(cloud.url, method, path, body, token);
  return {
    cloud,
    operator,
    user,
    call,
    courier: async (name) => (await call('POST', '/api/v1/fleet/couriers', { name })).body.id as string,
    async beat(courierId, serving = []) {
      const answer = await call('POST', `/api/v1/fleet/couriers/${courierId}/heartbeat`, { serving });
      if (answer.status !== 200) throw new Error(`heartbeat answered ${answer.status}: ${answer.text}`);
      return (answer.body.assignments as Array<{ rootId: string }>).map((assignment) => assignment.rootId).sort();
    },
    async addRoots(count) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push((await call('POST', '/api/v1/roots', dropboxRoot(`/edge${i}`), user)).body.id as string);
      return ids.sort();
    },
  };
}

test('a user registers roots and never sees their credentials again', async (t) => {
  const { call, user } = await startFleet(t);
  const created = await call('POST', '/api/v1/roots', dropboxRoot(), user);
  t.is(created.status, 201);
  t.deepEqual(Object.keys(created.body).sort(), ['courier', 'createdAt', 'id', 'kind', 'path']);
  t.is(created.body.courier, null);
  const listed = await call('GET', '/api/v1/roots', undefined, user);
  t.deepEqual(listed.body.roots, [created.body]);
  t.false(created.text.includes(SECRET) || listed.text.includes(SECRET));
});

const refused: Array<[string, unknown, number]> = [
  ['a local root from a user who is not an operator', { kind: 'local', path: '/srv/edge' }, 403],
  ['a relative path', { ...dropboxRoot(), path: 'edge' }, 400],
  ['a path with ..', { ...dropboxRoot(), path: '/edge/../etc' }, 400],
  ['OneDrive names for a Dropbox root', { ...dropboxRoot(), credentials: { ONEDRIVE_REFRESH_TOKEN: 'x' } }, 400],
  ['a Dropbox root without credentials', { kind: 'dropbox', path: '/edge' }, 400],
  ['an unknown kind', { kind: 'ftp', path: '/edge' }, 400],
];
for (const [name, body, status] of refused) {
  test(`refused: ${name}`, async (t) => {
    const { call, user } = await startFleet(t);
    t.is((await call('POST', '/api/v1/roots', body, user)).status, status);
  });
}

test('an operator may register a local root, but never with credentials', async (t) => {
  const { call } = await startFleet(t);
  t.is((await call('POST', '/api/v1/roots', { kind: 'local', path: '/srv/edge' })).status, 201);
  t.is((await call('POST', '/api/v1/roots', { kind: 'local', path: '/srv/edge', credentials: { DROPBOX_APP_KEY: 'k' } })).status, 400);
});

test('only operator tokens may use the fleet routes', async (t) => {
  const { call, user } = await startFleet(t);
  const forbidden = await call('POST', '/api/v1/fleet/couriers', { name: 'sneaky' }, user);
  t.is(forbidden.status, 403);
  t.is(forbidden.body.error.code, 'FORBIDDEN');
  t.is((await call('GET', '/api/v1/fleet/couriers', undefined, user)).status, 403);
  t.is((await call('POST', '/api/v1/fleet/couriers/cou_x/heartbeat', { serving: [] }, user)).status, 403);
  t.is((await call('DELETE', '/api/v1/fleet/couriers/cou_x', undefined, user)).status, 403);
  t.is((await call('GET', '/api/v1/fleet/couriers', undefined, '')).status, 401);
});

test('two couriers share the roots, and no root is held twice; the assignment carries the credentials', async (t) => {
  const fleet = await startFleet(t);
  const roots = await fleet.addRoots(6);
  const a = await fleet.courier('a');
  const b = await fleet.courier('b');
  const first = await fleet.call('POST', `/api/v1/fleet/couriers/${a}/heartbeat`, { serving: [] });
  t.is(first.body.assignments.length, 3);
  t.deepEqual(first.body.assignments[0].credentials, dropboxRoot().credentials);
  t.true(Date.parse(first.body.assignments[0].leaseExpiresAt) > Date.now());
  const ofA = (first.body.assignments as Array<{ rootId: string }>).map((assignment) => assignment.rootId).sort();
  const ofB = await fleet.beat(b);
  t.deepEqual([...ofA, ...ofB].sort(), roots);
  t.deepEqual(await fleet.beat(a, ofA), ofA);
  t.deepEqual(await fleet.beat(b, ofB), ofB);
  const listed = (await fleet.call('GET', '/api/v1/fleet/couriers')).body.couriers;
  t.deepEqual(
    listed.map((courier: { roots: string[] }) => courier.roots.sort()),
    [ofA, ofB],
  );
  const seen = (await fleet.call('GET', '/api/v1/roots', undefined, fleet.user)).body.roots;
  t.true(seen.every((root: { courier: { name: string } | null }) => root.courier !== null));
});

test('a silent courier loses its roots only once its lease ended', async (t) => {
  const fleet = await startFleet(t, { fleetLeaseMs: 1500 });
  const roots = await fleet.addRoots(2);
  const a = await fleet.courier('a');
  t.deepEqual(await fleet.beat(a), roots);
  const since = Date.now();
  const b = await fleet.courier('b');
  t.deepEqual(await fleet.beat(b), []);
  await sleep(300);
  t.deepEqual(await fleet.beat(b), []);
  await sleep(since + 1600 - Date.now());
  t.deepEqual(await fleet.beat(b), roots);
  t.deepEqual(await fleet.beat(a, roots), [], 'a courier whose roots moved gets none back');
});

test('a courier dropping a root, or deregistering, frees its roots at once', async (t) => {
  const fleet = await startFleet(t);
  const roots = await fleet.addRoots(2);
  const a = await fleet.courier('a');
  t.deepEqual(await fleet.beat(a), roots);
  const b = await fleet.courier('b');
  t.deepEqual(await fleet.beat(a, [roots[0]!]), [roots[0]]);
  t.deepEqual(await fleet.beat(b), [roots[1]]);
  t.is((await fleet.call('DELETE', `/api/v1/fleet/couriers/${a}`)).status, 204);
  t.deepEqual(await fleet.beat(b, [roots[1]!]), roots);
  t.is((await fleet.call('POST', `/api/v1/fleet/couriers/${a}/heartbeat`, { serving: [] })).status, 404);
});

test('a deleted root is let go, and only its owner sees or deletes it', async (t) => {
  const fleet = await startFleet(t);
  const [root] = await fleet.addRoots(1);
  const a = await fleet.courier('a');
  t.deepEqual(await fleet.beat(a), [root]);
  const stranger = await apiToken(fleet.cloud);
  t.deepEqual((await fleet.call('GET', '/api/v1/roots', undefined, stranger)).body.roots, []);
  const theirs = await fleet.call('DELETE', `/api/v1/roots/${root}`, undefined, stranger);
  t.is(theirs.status, 404);
  t.is(theirs.body.error.code, 'NOT_FOUND');
  t.is((await fleet.call('DELETE', `/api/v1/roots/${root}`, undefined, fleet.user)).status, 204);
  t.deepEqual(await fleet.beat(a, [root!]), []);
  t.is((await fleet.call('DELETE', `/api/v1/roots/${root}`, undefined, fleet.user)).status, 404);
});

test('credentials are stored sealed, under a key file only the cloud may read', async (t) => {
  const fleet = await startFleet(t);
  await fleet.addRoots(1);
  const stored = await readFile(join(fleet.cloud.dataDir, 'cloud.json'), 'utf8');
  t.false(stored.includes(SECRET));
  t.false(stored.includes('app-key'));
  t.regex(JSON.parse(stored).roots[0].credentials, /^v1\./);
  t.is((await stat(join(fleet.cloud.dataDir, 'secret.key'))).mode & 0o777, 0o600);
});

test('a restarted cloud keeps a held root from a second courier until its lease ends, and keeps its operators', async (t) => {
  const before = await startTestCloud({ smtp: false, fleetLeaseMs: 60_000 });
  const first = fleetOn(before, await operatorToken(before), await apiToken(before));
  const roots = await first.addRoots(2);
  const a = await first.courier('a');
  t.deepEqual(await first.beat(a), roots);
  await before.close();

  const after = await startTestCloud({ smtp: false, fleetLeaseMs: 60_000, dataDir: before.dataDir });
  t.teardown(() => after.close());
  const second = fleetOn(after, first.operator, first.user);
  const b = await second.courier('b');
  t.deepEqual(await second.beat(b), []);
  const renewed = await second.call('POST', `/api/v1/fleet/couriers/${a}/heartbeat`, { serving: roots });
  t.deepEqual(renewed.body.assignments.map((assignment: { rootId: string }) => assignment.rootId).sort(), roots);
  t.deepEqual(renewed.body.assignments[0].credentials, dropboxRoot().credentials, 'the key file outlives the restart');
});
