/**
 * Profiles over HTTP: endpoint calls and test-invokes counted per function version with their errors, cold starts
 * and places; two deployed versions kept apart and found by the app's version tag; the profiles kept across a
 * restart; edge reports counted at the edge for those who may run the app only; fleet reports merged only for roots
 * the courier holds; the catalogue's summary; and activation records naming the app's version.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { api, freshEmail, grantOperator, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { deployFiles, newUser } from '../helpers/cloud-apps.ts';
import { tempFolder } from '../helpers/temp.ts';

let cloud: TestCloud;
let dataDir: string;

test.before(async () => {
  dataDir = join(await tempFolder('ec-profiles'), 'data');
  cloud = await startTestCloud({ smtp: false, dataDir });
});
test.after.always(async () => {
  await cloud?.close();
});

const appName = () => `profiled-${randomBytes(4).toString('hex')}`;

/** `greet` calls `upper`; `check` fails for a bad input; both public endpoints. */
const release = (greeting: string) => ({
  'app.json': JSON.stringify({
    endpoints: [
      { method: 'POST', path: '/greet', function: 'greet', public: true },
      { method: 'POST', path: '/check', function: 'check', public: true },
    ],
  }),
  'functions/greet.js': `export default async (input, ctx) => '${greeting} ' + (await ctx.call('upper', { text: input.name }));\n`,
  'functions/upper.js': 'export default (input) => input.text.toUpperCase();\n',
  'functions/check.js': "export default (input) => { if (!input.ok) throw new Error('not ok'); return 'fine'; };\n",
});

async function deployed(token: string, name: string, greeting: string, tag: string): Promise<{ id: string }> {
  const answer = await deployFiles(cloud.url, token, name, release(greeting), { tag });
  if (answer.status >= 300) throw new Error(`deploy answered ${answer.status}: ${answer.text}`);
  return answer.body;
}

const profilesOf = async (token: string, appId: string, query = '') => {
  const answer = await api(cloud.url, 'GET', `/api/v1/apps/${appId}/profile${query}`, undefined, token);
  if (answer.status !== 200) throw new Error(`profile answered ${answer.status}: ${answer.text}`);
  return answer.body.profiles as any[];
};
const byFunction = (profiles: any[], fn: string) => profiles.filter((profile) => profile.function === fn);

/** One call of `fn` at `version` as an edge run or a courier reports it. */
const digest = (fn: string, version: string, overrides: Record<string, unknown> = {}) => ({
  function: fn,
  version,
  calls: 4,
  errors: 1,
  served: { executed: 4, cache: 0, precomputed: 0 },
  durationMs: [[400, 4]],
  coldStarts: 0,
  coldStartMs: [],
  peakMemoryBytes: { count: 4, sum: 4000, max: 1000 },
  inputBytes: { count: 4, sum: 8, max: 2 },
  outputBytes: { count: 4, sum: 4, max: 1 },
  // What a report claims of places is not believed.
  places: { cloud: 4, courier: 0, edge: 0 },
  firstAt: 1_700_000_000_000,
  lastAt: 1_700_000_000_000,
  ...overrides,
});

test.serial(
  'endpoint calls and test-invokes make one profile per function version, with calls, errors, one cold start and the cloud as their place',
  async (t) => {
    const token = await newUser(cloud.url);
    const app = await deployed(token, appName(), 'hello', '1.0.0');
    // A test-invoke of the stopped app meets no sandbox ready (the process executor starts none ahead): a cold start.
    const invoked = await api(cloud.url, 'POST', `/api/v1/apps/${app.id}/functions/check/invoke`, { input: { ok: true } }, token);
    t.like(invoked.body, { output: 'fine' });
    t.is((await api(cloud.url, 'POST', `/api/v1/apps/${app.id}/start`, undefined, token)).status, 200);
    for (const name of ['ada', 'grace', 'linus']) t.is((await api(cloud.url, 'POST', `/run/${app.id}/greet`, { input: { name } })).status, 200);
    t.not((await api(cloud.url, 'POST', `/run/${app.id}/check`, { input: { ok: false } })).status, 200);

    const profiles = await profilesOf(token, app.id);
    t.is(profiles.length, 3, 'greet, upper and check, one version each');
    const [greet] = byFunction(profiles, 'greet');
    t.like(greet, { calls: 3, errorRate: 0, served: { executed: 3 }, places: { cloud: 3, courier: 0, edge: 0 } });
    t.like(byFunction(profiles, 'upper')[0], { calls: 3, places: { cloud: 3 } }, 'nested calls are counted as calls of their own function');
    t.like(byFunction(profiles, 'check')[0], { calls: 2, errorRate: 0.5, places: { cloud: 2 } });
    const coldStarts = profiles.reduce((sum, profile) => sum + Math.round(profile.coldStart.share * profile.served.executed), 0);
    t.is(coldStarts, 1, JSON.stringify(profiles.map((profile) => profile.coldStart)));
    t.true(byFunction(profiles, 'check')[0].coldStart.p50Ms > 0, 'on the first call, which met it');
    for (const profile of profiles) {
      t.true(profile.durationMs.p50 > 0 && profile.durationMs.p50 <= profile.durationMs.p99);
      t.true(profile.peakMemoryBytes.max > 1024 * 1024, `${profile.function}: ${profile.peakMemoryBytes.max} bytes`);
    }
    t.like(greet, { inputBytes: { max: Buffer.byteLength('{"name":"grace"}') }, outputBytes: { max: Buffer.byteLength('"hello GRACE"') } });
    t.is((await profilesOf(token, app.id, '?function=check')).length, 1, 'the function filter keeps its own profiles only');

    const activations = await api(cloud.url, 'GET', `/api/v1/apps/${app.id}/activations?function=greet`, undefined, token);
    const active = (await api(cloud.url, 'GET', `/api/v1/apps/${app.id}`, undefined, token)).body.activeVersion;
    t.true(activations.body.activations.length >= 3);
    for (const activation of activations.body.activations) t.is(activation.appVersion, active, 'each record names the app version it ran on');
  },
);

test.serial("two deployed versions keep two profiles apart, the app version's tag finds its own, and a restarted cloud still has them", async (t) => {
  const token = await newUser(cloud.url);
  const name = appName();
  const first = await deployed(token, name, 'hello', '1.0.0');
  const invoke = (who: string) => api(cloud.url, 'POST', `/api/v1/apps/${first.id}/functions/greet/invoke`, { input: { name: who } }, token);
  t.like((await invoke('ada')).body, { output: 'hello ADA' });
  await deployed(token, name, 'hi', '2.0.0');
  for (const who of ['ada', 'grace']) t.like((await invoke(who)).body, { output: `hi ${who.toUpperCase()}` });

  const greets = byFunction(await profilesOf(token, first.id), 'greet');
  t.is(greets.length, 2, 'a profile per version of greet');
  t.not(greets[0].version, greets[1].version);
  t.deepEqual(
    greets.map((profile) => profile.calls),
    [2, 1],
    'the newer version, called last, first',
  );
  const v1 = byFunction(await profilesOf(token, first.id, '?version=1.0.0'), 'greet');
  t.like(v1, [{ calls: 1, version: greets[1].version }]);
  t.like(await profilesOf(token, first.id, `?version=${greets[0].version}`), [{ function: 'greet', calls: 2 }]);
  const unknown = await api(cloud.url, 'GET', `/api/v1/apps/${first.id}/profile?version=9.9.9`, undefined, token);
  t.like(unknown, { status: 404, body: { error: { code: 'VERSION_NOT_FOUND' } } });

  await cloud.close();
  cloud = await startTestCloud({ smtp: false, dataDir });
  t.deepEqual(byFunction(await profilesOf(token, first.id), 'greet'), greets, 'the profiles as they were before the restart');

  t.is((await api(cloud.url, 'DELETE', `/api/v1/apps/${first.id}`, undefined, token)).status, 204);
  await cloud.close();
  t.false((await readFile(join(dataDir, 'profiles.json'), 'utf8')).includes(first.id), "a deleted app's profiles leave the file");
  cloud = await startTestCloud({ smtp: false, dataDir });
});

test.serial('an edge report counts every call at the edge and needs RUN: a reader is refused, a stranger told of no app, a bad report named', async (t) => {
  const token = await newUser(cloud.url);
  const app = await deployed(token, appName(), 'hello', '1.0.0');
  const report = (as: string, body: unknown) => api(cloud.url, 'POST', `/api/v1/apps/${app.id}/profile`, body, as);
  t.is((await report(token, { digests: [digest('greet', 'edge-built-1')] })).status, 204);
  t.like(await profilesOf(token, app.id), [
    { function: 'greet', version: 'edge-built-1', calls: 4, errorRate: 0.25, places: { cloud: 0, courier: 0, edge: 4 } },
  ]);
  t.is((await report(token, { digests: [digest('greet', 'edge-built-1')] })).status, 204);
  t.like(await profilesOf(token, app.id), [{ calls: 8, places: { edge: 8 } }], 'a second report adds to the first');

  const reader = await newUser(cloud.url);
  const readerEmail = (await api(cloud.url, 'GET', '/api/v1/me', undefined, reader)).body.user.email;
  t.is((await api(cloud.url, 'PUT', `/api/v1/apps/${app.id}/grants/${readerEmail}`, { access: 'READ' }, token)).status, 201);
  t.like(await report(reader, { digests: [digest('greet', 'edge-built-1')] }), { status: 403, body: { error: { code: 'FORBIDDEN' } } });
  t.is((await profilesOf(reader, app.id)).length, 1, 'a reader reads the profiles');
  const stranger = await newUser(cloud.url);
  t.like(await report(stranger, { digests: [digest('greet', 'edge-built-1')] }), { status: 404, body: { error: { code: 'APP_NOT_FOUND' } } });

  const bad = [
    [{ digests: [digest('greet', 'x', { calls: -1 })] }, /digests\.0\.calls/],
    [{ digests: [digest('greet', 'x', { errors: 9 })] }, /digests\.0\.errors/],
    [{ digests: [digest('nosuch', 'x')] }, /digests\.0\.function: app "[^"]+" has no function "nosuch"/],
    [{ digests: [digest('greet', 'x', { lastAt: 8e15 })] }, /digests\.0\.lastAt: in the future/],
    [{ digests: [digest('greet', 'x', { peakMemoryBytes: { count: 1, sum: 1e300, max: 1e300 } })] }, /digests\.0\.peakMemoryBytes: /],
    [{ digests: [] }, /digests/],
  ] as const;
  for (const [body, message] of bad) {
    const answer = await report(token, body);
    t.is(answer.status, 400, answer.text);
    t.is(answer.body.error.code, 'INVALID_INPUT');
    t.regex(answer.body.error.message, message);
  }
  t.like(await profilesOf(token, app.id), [{ calls: 8 }], 'nothing of a refused report was merged');
});

test.serial(
  "a fleet report is merged for the roots its courier holds, counted as a courier's, read by the root's owner; other roots are ignored and named",
  async (t) => {
    const operator = { email: freshEmail('operator'), password: 'correct horse battery' };
    await api(cloud.url, 'POST', '/api/v1/accounts', operator);
    await grantOperator(dataDir, operator.email);
    const opToken = (await api(cloud.url, 'POST', '/api/v1/sessions', operator)).body.token as string;
    const owner = await newUser(cloud.url);
    const add = async (path: string, as: string) => (await api(cloud.url, 'POST', '/api/v1/roots', { kind: 'local', path }, as)).body.id as string;
    const held = await add(`/srv/held-${randomBytes(3).toString('hex')}`, opToken);
    const courier = (await api(cloud.url, 'POST', '/api/v1/fleet/couriers', { name: 'reporter' }, opToken)).body.id as string;
    const beat = await api(cloud.url, 'POST', `/api/v1/fleet/couriers/${courier}/heartbeat`, { serving: [] }, opToken);
    t.true(beat.body.assignments.some((assignment: any) => assignment.rootId === held));
    // Registered after the heartbeat: no courier holds it.
    const notHeld = await add(`/srv/free-${randomBytes(3).toString('hex')}`, opToken);

    const answer = await api(
      cloud.url,
      'POST',
      '/api/v1/fleet/profiles',
      {
        courierId: courier,
        roots: [
          { rootId: held, apps: [{ app: 'shop', digests: [digest('order', 'folder-v1')] }] },
          { rootId: notHeld, apps: [{ app: 'shop', digests: [digest('order', 'folder-v1')] }] },
        ],
      },
      opToken,
    );
    t.deepEqual(answer.body, { merged: [held], ignored: [notHeld] });
    const read = (root: string, as: string) => api(cloud.url, 'GET', `/api/v1/roots/${root}/profile?app=shop`, undefined, as);
    t.like((await read(held, opToken)).body, { profiles: [{ function: 'order', calls: 4, places: { cloud: 0, courier: 4, edge: 0 } }] });
    t.deepEqual((await read(notHeld, opToken)).body, { profiles: [] });
    t.like(await read(held, owner), { status: 404, body: { error: { code: 'NOT_FOUND' } } }, "another account's root is not found");
    const missingCourier = await api(cloud.url, 'POST', '/api/v1/fleet/profiles', { roots: [] }, opToken);
    t.like(missingCourier, { status: 400, body: { error: { code: 'INVALID_INPUT' } } });
    t.regex(missingCourier.body.error.message, /courierId/);
  },
);

test.serial("the catalogue shows each public app's calls, error rate and durations over its active version's functions", async (t) => {
  const token = await newUser(cloud.url);
  const name = appName();
  const app = await deployed(token, name, 'hello', '1.0.0');
  t.is((await api(cloud.url, 'PUT', `/api/v1/apps/${app.id}/grants/*`, { access: 'RUN' }, token)).status, 201);
  const catalogue = async () => (await api(cloud.url, 'GET', `/api/v1/catalog?q=${name}`, undefined, token)).body.apps[0];
  t.is((await catalogue()).profile, undefined, 'no profile before any call');
  for (const ok of [true, false]) await api(cloud.url, 'POST', `/api/v1/apps/${app.id}/functions/check/invoke`, { input: { ok } }, token);
  await api(cloud.url, 'POST', `/api/v1/apps/${app.id}/functions/greet/invoke`, { input: { name: 'ada' } }, token);
  const { profile } = await catalogue();
  t.like(profile, { calls: 4, errorRate: 0.25 }, 'two calls of check, greet and the upper it called');
  t.true(profile.durationMs.p50 > 0 && profile.durationMs.p50 <= profile.durationMs.p95);
});
