/** Edge computing against the cloud: download a function's bundle, run it locally, send the results as precomputed, and the cloud does no work. */
import test from 'ava';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeAppBundle } from '../../cli/app-bundle.ts';
import { api } from '../helpers/cloud.ts';
import { makeApp, newUser, sampleFunctions } from '../helpers/cloud-apps.ts';
import { startRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';
import { useCloud } from '../helpers/use-cloud.ts';

let local: TestRuntime;

const cloud = useCloud(test, { docker: true });

test.before(async () => {
  local = await startRuntime({ local: true });
});

test.after.always(async () => {
  await local?.executor.close();
});

/** A started app with a package.json (its text is part of every version) and a public endpoint for greet. */
async function edgeApp(): Promise<string> {
  const app = await makeApp(cloud.url, cloud.token, { greet: sampleFunctions.greet, upper: sampleFunctions.upper }, [
    { method: 'POST', path: '/greet', function: 'greet', public: true },
  ]);
  await api(cloud.url, 'PATCH', `/api/v1/apps/${app.id}`, { packageJson: '{\n  "name": "edge",\n  "dependencies": {}\n}\n' }, cloud.token);
  await api(cloud.url, 'POST', `/api/v1/apps/${app.id}/start`, undefined, cloud.token);
  return app.id as string;
}

type BundleFile = { path: string; text: string } | { path: string; base64: string };
const bytesOf = (file: BundleFile) => ('text' in file ? Buffer.from(file.text) : Buffer.from(file.base64, 'base64'));

async function pull(appId: string, fn: string): Promise<string> {
  const { status, body } = await api(cloud.url, 'GET', `/api/v1/apps/${appId}/functions/${fn}/code`, undefined, cloud.token);
  if (status !== 200) throw new Error(`downloading ${fn} answered ${status}`);
  const dir = join(await tempFolder('ec-pulled'), body.name);
  for (const file of body.files as BundleFile[]) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), bytesOf(file));
  }
  return dir;
}

test("the owner's bundle holds every file, binary ones as base64, and is byte for byte the app folder the cloud runs", async (t) => {
  const appId = await edgeApp();
  const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00]);
  const put = await fetch(`${cloud.url}/api/v1/apps/${appId}/files/assets%2Fdot.png`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${cloud.token}` },
    body: image,
  });
  t.is(put.status, 201);
  await api(cloud.url, 'POST', `/api/v1/apps/${appId}/functions/greet/invoke`, { input: { name: 'load' } }, cloud.token);
  const { body } = await api(cloud.url, 'GET', `/api/v1/apps/${appId}/functions/greet/code`, undefined, cloud.token);
  t.like(body, { format: 'edgecourier-app-bundle/2', entry: 'greet' });
  t.deepEqual(
    (body.files as BundleFile[]).map((file) => file.path),
    ['app.json', 'assets/dot.png', 'functions/greet.js', 'functions/upper.ts', 'package.json'],
  );
  t.true('base64' in body.files[1]);
  for (const file of body.files as BundleFile[]) {
    t.true((await readFile(join(cloud.dataDir, 'apps', appId, file.path))).equals(bytesOf(file)), file.path);
  }
});

test('results of a local run of the bundle, sent as precomputed, leave the cloud nothing to execute', async (t) => {
  const appId = await edgeApp();
  const app = await local.load(await pull(appId, 'greet'));
  const edge = await local.invoker.invoke(app, 'greet', { name: 'edge' }, { recordResults: true });
  if (!edge.ok) return t.fail(edge.error.message);
  t.is(edge.stats.executed, 2);
  // As the owner, who pulled every function: anyone else's results count only for public functions.
  const answer = await api(cloud.url, 'POST', `/run/${appId}/greet`, { input: { name: 'edge' }, precomputed: edge.results }, cloud.token);
  t.like(answer, { status: 200, body: { output: edge.output, key: edge.key, stats: { executed: 0, precomputedHits: 1 } } });
});

test('a local run of the called function alone leaves the cloud only the caller to execute', async (t) => {
  const appId = await edgeApp();
  const app = await local.load(await pull(appId, 'upper'));
  const edge = await local.invoker.invoke(app, 'upper', { text: 'part' }, { recordResults: true });
  if (!edge.ok) return t.fail(edge.error.message);
  const answer = await api(cloud.url, 'POST', `/run/${appId}/greet`, { input: { name: 'part' }, precomputed: edge.results }, cloud.token);
  t.like(answer, { status: 200, body: { output: { message: 'hello PART' }, stats: { executed: 1, precomputedHits: 1 } } });
});

test("a stranger's local run of a public function's bundle computes the cloud's keys, so the cloud takes its results; a copy edited after the pull does not", async (t) => {
  const app = await makeApp(cloud.url, cloud.token, { greet: sampleFunctions.greet, upper: { ...sampleFunctions.upper, public: true } }, [
    { method: 'POST', path: '/upper', function: 'upper', public: true },
  ]);
  await api(cloud.url, 'POST', `/api/v1/apps/${app.id}/start`, undefined, cloud.token);
  const stranger = await newUser(cloud.url);
  const { body: bundle } = await api(cloud.url, 'GET', `/api/v1/apps/${app.id}/functions/upper/code`, undefined, stranger);
  const dir = join(await tempFolder('ec-stranger'), 'pulled');
  await writeAppBundle(dir, bundle);
  // The private function's file is not theirs to see, so the files alone hash to another tree than the cloud's app.
  t.false((bundle.files as BundleFile[]).some((file) => file.path.startsWith('functions/greet')));
  const edge = await local.invoker.invoke(await local.load(dir), 'upper', { text: 'edge' }, { recordResults: true });
  if (!edge.ok) return t.fail(edge.error.message);
  const answer = await api(cloud.url, 'POST', `/run/${app.id}/upper`, { input: { text: 'edge' }, precomputed: edge.results }, stranger);
  t.like(answer, { status: 200, body: { output: 'EDGE', key: edge.key, stats: { executed: 0, precomputedHits: 1 } } });

  await writeFile(join(dir, 'functions', 'upper.ts'), "export default (input: { text: string }) => input.text.toLowerCase() + '!';\n");
  const edited = await local.invoker.invoke(await local.load(dir), 'upper', { text: 'edge' }, { recordResults: true });
  if (!edited.ok) return t.fail(edited.error.message);
  t.not(edited.key, edge.key);
  const again = await api(cloud.url, 'POST', `/run/${app.id}/upper`, { input: { text: 'edge' }, precomputed: edited.results }, stranger);
  t.like(again, { status: 200, body: { output: 'EDGE', stats: { executed: 1, precomputedHits: 0 } } });
});
