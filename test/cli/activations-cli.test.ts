/** Activation records from the command line: `logs` lists and filters an app's activations and follows new ones live, `activation` shows one with its call tree. */
import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliPath } from '../../build/dist.ts';
import { runCli } from '../helpers/cli.ts';
import { tempFolder } from '../helpers/temp.ts';
import { cliEnv, useCloud } from '../helpers/use-cloud.ts';
import { until } from '../helpers/wait.ts';

const example = fileURLToPath(new URL('../../docs/examples/hello', import.meta.url));

const cloud = useCloud(test, { docker: true, signUp: false });
let env: NodeJS.ProcessEnv;
let greetUrl: string;

const run = (...args: string[]) => runCli(args, { env });

/** Calls the example's greet endpoint; resolves with the activation id of the answer. */
async function greet(name: string): Promise<string> {
  const response = await fetch(greetUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { name } }) });
  await response.arrayBuffer();
  return response.headers.get('x-edgecourier-activation')!;
}

test.before(async () => {
  const dir = await tempFolder('ec-activations-cli');
  env = cliEnv(cloud.url, dir);
  const signedUp = await run('signup', '--url', cloud.url, '--email', 'activations@example.com');
  if (signedUp.code !== 0) throw new Error(signedUp.stderr);
  const deployed = await run('deploy', example, '--start', '--json');
  if (deployed.code !== 0) throw new Error(deployed.stderr);
  greetUrl = (JSON.parse(deployed.stdout) as { endpoints: Array<{ path: string; url: string }> }).endpoints.find((endpoint) => endpoint.path === '/greet')!.url;
});

test.serial('logs lists the activations of an app or one function, oldest first, with their ids and console output', async (t) => {
  const first = await greet('first');
  const second = await greet('second');
  const all = await run('logs', 'hello');
  t.is(all.code, 0, all.stderr);
  const greetLines = all.stdout.split('\n').filter((line) => / greet /.test(line));
  t.deepEqual(
    greetLines.map((line) => line.split(/\s+/).at(-1)),
    [first, second],
  );
  t.regex(all.stdout, /greet\s+ok\s+[\d.]+ ms\s+endpoint\s+act_\S+\n\s+log: greeting first\n/);
  t.regex(all.stdout, new RegExp(` upper +ok +[\\d.]+ ms +call from ${first} `), 'a nested call names its caller');

  const onlyUpper = await run('logs', 'hello', 'upper', '--json');
  const records = JSON.parse(onlyUpper.stdout) as Array<{ function: string; parent: string }>;
  t.deepEqual(
    records.map((record) => [record.function, record.parent]),
    [
      ['upper', first],
      ['upper', second],
    ],
  );
  t.regex((await run('logs', 'hello', '--outcome', 'error')).stdout, /^no activations of hello yet\n$/);
  t.is((await run('logs', 'hello', '--since', '1d', '--json')).code, 0);
  const badSince = await run('logs', 'hello', '--since', 'last tuesday');
  t.is(badSince.code, 2);
  t.regex(badSince.stderr, /INVALID_INPUT: --since takes a time .* not "last tuesday"/);
});

test.serial('activation shows one record in full, its nested calls named, and says when there is none of yours', async (t) => {
  const id = await greet('shown');
  const shown = await run('activation', id);
  t.is(shown.code, 0, shown.stderr);
  t.regex(shown.stdout, new RegExp(`^id +${id}\n`));
  t.regex(shown.stdout, /\nfunction +greet \(version [0-9a-f]+\)\n/);
  t.regex(shown.stdout, /\ntrigger +endpoint\n/);
  t.regex(shown.stdout, /\nlogs:\n {4}log: greeting shown/);
  const child = /\nchildren +(act_\S+)\n/.exec(shown.stdout)?.[1];
  const record = JSON.parse((await run('activation', child!, '--json')).stdout) as { function: string; parent: string; served: string };
  t.like(record, { function: 'upper', parent: id, served: 'executed' });
  const missing = await run('activation', `act_${'0'.repeat(22)}`);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /ACTIVATION_NOT_FOUND: no activation act_0+ of an app you may change/);
});

test.serial('logs --follow prints each new activation as it is recorded', async (t) => {
  const child = spawn(process.execPath, [cliPath, 'logs', 'hello', 'greet', '--follow', '--json', '--limit', '1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // It says so once the cloud streams to it: what is called from now on comes live.
  await until('the follower listening', () => stderr.includes('following the activations of hello'), { timeoutMs: 60_000, explain: () => stderr });
  const printedBefore = stdout.split('\n').filter(Boolean).length;
  const id = await greet('followed');
  await until('the new activation printed', () => stdout.includes(id), { timeoutMs: 60_000, explain: () => `${stdout}\n${stderr}` });
  const lines = stdout.split('\n').filter(Boolean);
  t.is(printedBefore, 1, 'the last one recorded first (--limit 1)');
  t.like(JSON.parse(lines.at(-1)!), { id, function: 'greet', logs: [{ message: 'greeting followed' }] });
});

test('logs and activation explain themselves', async (t) => {
  const logs = await runCli(['logs', '--help']);
  t.regex(logs.stdout, /--follow/);
  t.regex(logs.stdout, /--outcome <outcome>/);
  t.regex(logs.stdout, /--since <time>/);
  t.regex(logs.stdout, /--json/);
  const activation = await runCli(['activation', '--help']);
  t.regex(activation.stdout, /Usage: edgecourier activation \[options\] <id>/);
  t.regex(activation.stdout, /--json/);
});
