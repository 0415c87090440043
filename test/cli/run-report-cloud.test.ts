/** `edgecourier run --local --report <app>` against a real cloud: the edge run of the deployed files lands in the same function versions as the cloud's own calls, one profile each with places cloud N, edge M. */
import test from 'ava';
import { appendFile, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startCloud, type RunningCloud } from '../../cloud/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { api } from '../helpers/cloud.ts';
import { runCli } from '../helpers/cli.ts';
import { tempFolder } from '../helpers/temp.ts';
import { cliEnv } from '../helpers/use-cloud.ts';
import type { ProfileList } from '../../api/profiles.ts';

let cloud: RunningCloud;
let executor: ExecutorBundle;
let env: NodeJS.ProcessEnv;
let token: string;
let folder: string;
let app: { id: string; endpoints: Array<{ path: string; url: string }> };

const run = (...args: string[]) => runCli(args, { env });

test.before(async () => {
  const dir = await tempFolder('ec-run-report-cloud');
  executor = await createExecutor({ local: true, cacheDir: join(dir, 'cache'), runDir: join(dir, 'run') });
  cloud = await startCloud({ dataDir: join(dir, 'data'), port: 0, host: '127.0.0.1', executor, logger: pino({ level: 'silent' }) });
  env = cliEnv(cloud.url, dir);
  // A copy: the deploy pins the folder it deploys.
  folder = join(dir, 'hello');
  await cp(fileURLToPath(new URL('../../docs/examples/hello', import.meta.url)), folder, { recursive: true });
  const signedUp = await run('signup', '--url', cloud.url, '--email', 'edge-reports@example.com');
  if (signedUp.code !== 0) throw new Error(signedUp.stderr);
  const deployed = await run('deploy', folder, '--start', '--json');
  if (deployed.code !== 0) throw new Error(deployed.stderr);
  app = JSON.parse(deployed.stdout);
  token = (await api(cloud.url, 'POST', '/api/v1/sessions', { email: 'edge-reports@example.com', password: env.EDGECOURIER_PASSWORD })).body.token;
});

test.after.always(async () => {
  await cloud?.close();
  await executor?.executor.close();
});

/** One function version's profile, as the cloud answers it. */
type Profile = ProfileList['profiles'][number];

const profiles = async (): Promise<Profile[]> => {
  const answer = await api(cloud.url, 'GET', `/api/v1/apps/${app.id}/profile`, undefined, token);
  if (answer.status !== 200) throw new Error(`profile answered ${answer.status}: ${answer.text}`);
  return answer.body.profiles;
};

test.serial("an edge run of the deployed folder is merged into the cloud's profile of the same function versions", async (t) => {
  const greet = app.endpoints.find((endpoint) => endpoint.path === '/greet')!;
  for (const name of ['ada', 'grace']) {
    const response = await fetch(greet.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { name } }) });
    t.is(response.status, 200);
  }
  const cloudOnly = await profiles();
  t.deepEqual(cloudOnly.map((p) => p.function).sort(), ['greet', 'upper']);
  for (const name of ['edge', 'more', 'again']) {
    const edge = await run('run', folder, 'greet', '--local', '--input', JSON.stringify({ name }), '--report', 'hello');
    t.is(edge.code, 0, edge.stderr);
    t.regex(edge.stderr, /reported the profile of 2 function versions to hello/);
  }
  const merged = await profiles();
  t.is(merged.length, 2, 'no second version of either function: the edge ran the versions the cloud runs');
  for (const fn of ['greet', 'upper']) {
    const before = cloudOnly.find((p) => p.function === fn)!;
    const after = merged.find((p) => p.function === fn)!;
    t.is(after.version, before.version);
    t.like(after, { calls: 5, errorRate: 0, places: { cloud: 2, courier: 0, edge: 3 } });
  }
  // An edited folder is not what the cloud runs: its runs are another version, never counted as the cloud's.
  await appendFile(join(folder, 'functions', 'greet.js'), '// edited at the edge\n');
  const edited = await run('run', folder, 'greet', '--local', '--input', '{"name":"changed"}', '--report', 'hello');
  t.is(edited.code, 0, edited.stderr);
  const after = await profiles();
  t.is(after.length, 4);
  t.true(after.filter((p) => !merged.some((m) => m.version === p.version)).every((p) => p.calls === 1 && p.places.edge === 1));
});
