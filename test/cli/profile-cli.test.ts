/** `edgecourier profile` from the command line: a table of an app's function versions with their figures, one function's, and the summaries as JSON. */
import test from 'ava';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startCloud, type RunningCloud } from '../../cloud/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { runCli } from '../helpers/cli.ts';
import { tempFolder } from '../helpers/temp.ts';

const example = fileURLToPath(new URL('../../docs/examples/hello', import.meta.url));

let cloud: RunningCloud;
let executor: ExecutorBundle;
let env: NodeJS.ProcessEnv;

const run = (...args: string[]) => runCli(args, { env });

test.before(async () => {
  const dir = await tempFolder('ec-profile-cli');
  executor = await createExecutor({ local: true, cacheDir: join(dir, 'cache'), runDir: join(dir, 'run') });
  cloud = await startCloud({ dataDir: join(dir, 'data'), port: 0, host: '127.0.0.1', executor, logger: pino({ level: 'silent' }) });
  env = { ...process.env, EDGECOURIER_CREDENTIALS: join(dir, 'credentials.json'), EDGECOURIER_PASSWORD: 'correct horse battery', EDGECOURIER_URL: cloud.url };
  delete env.EDGECOURIER_TOKEN;
  const signedUp = await run('signup', '--url', cloud.url, '--email', 'profiles@example.com');
  if (signedUp.code !== 0) throw new Error(signedUp.stderr);
  const deployed = await run('deploy', example, '--tag', '1.0.0');
  if (deployed.code !== 0) throw new Error(deployed.stderr);
  for (const name of ['ada', 'grace']) {
    const invoked = await run('invoke', 'hello', 'greet', '--input', JSON.stringify({ name }));
    if (invoked.code !== 0) throw new Error(invoked.stderr);
  }
});

test.after.always(async () => {
  await cloud?.close();
  await executor?.executor.close();
});

test('profile prints a line per function version with its calls, errors, durations, cold starts, memory, bytes and places', async (t) => {
  const { code, stdout, stderr } = await run('profile', 'hello');
  t.is(code, 0, stderr);
  const [header, ...rows] = stdout.trimEnd().split('\n');
  t.regex(header!, /^FUNCTION\s+VERSION\s+CALLS\s+ERRORS\s+P50 MS\s+P95 MS\s+P99 MS\s+COLD\s+COLD P50\s+PEAK MB\s+IN B\s+OUT B\s+PLACES$/);
  t.is(rows.length, 2, stdout);
  for (const fn of ['greet', 'upper']) {
    const row = rows.find((line) => line.startsWith(`${fn} `));
    t.regex(row ?? '', /^\w+\s+[0-9a-f]{12}\s+2\s+0\.0%\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+%\s+(-|[\d.]+)\s+[\d.]+\s+\d+\s+\d+\s+cloud 2$/, stdout);
  }
});

test("profile with a function and the app version's tag keeps that function's, and --json gives the summaries", async (t) => {
  const table = await run('profile', 'hello', 'upper', '--version', '1.0.0');
  t.is(table.code, 0, table.stderr);
  t.is(table.stdout.trimEnd().split('\n').length, 2, table.stdout);
  t.regex(table.stdout, /\nupper /);
  const json = await run('profile', 'hello', 'greet', '--json');
  t.is(json.code, 0, json.stderr);
  t.like(JSON.parse(json.stdout), [{ function: 'greet', calls: 2, errorRate: 0, places: { cloud: 2, courier: 0, edge: 0 } }]);
});
