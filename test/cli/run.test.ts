/** `edgecourier run` from a shell: prints the response, takes input inline or from a file, and closes the edge loop with --save-results. */
import test from 'ava';
import { runCli } from '../helpers/cli.ts';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyFixtureApp } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';

const run = (...args: string[]) => runCli(args);

test('run prints the response as JSON, in a container by default', async (t) => {
  const app = await copyFixtureApp('basic');
  const result = await run('run', app, 'greet', '--input', '{"name":"shell"}');
  t.is(result.code, 0, result.stderr);
  t.like(JSON.parse(result.stdout), { ok: true, output: { message: 'hello SHELL' }, logs: [{ fn: 'greet', message: 'greeting shell' }] });
});

test('an edge run with --local saves its results, and sending them as --precomputed skips all work', async (t) => {
  const app = await copyFixtureApp('basic');
  const dir = await tempFolder('ec-cli');
  const input = join(dir, 'input.json');
  await writeFile(input, '{"name":"edge"}');
  const results = join(dir, 'results.json');
  const local = await run('run', app, 'greet', '--local', '--input', `@${input}`, '--save-results', results);
  t.is(local.code, 0, local.stderr);
  t.is(Object.keys(JSON.parse(await readFile(results, 'utf8'))).length, 2);
  const replay = await run('run', app, 'greet', '--input', `@${input}`, '--precomputed', results);
  t.like(JSON.parse(replay.stdout), { ok: true, output: { message: 'hello EDGE' }, stats: { executed: 0, precomputedHits: 1 } });
});

test('a failing function exits 1 with the error in the JSON', async (t) => {
  const result = await run('run', await copyFixtureApp('basic'), 'fails', '--local');
  t.is(result.code, 1);
  t.like(JSON.parse(result.stdout), { ok: false, error: { code: 'FUNCTION_THREW' } });
});

test('input that is not JSON exits 2 with a message naming the option', async (t) => {
  const result = await run('run', await copyFixtureApp('basic'), 'greet', '--local', '--input', '{name:');
  t.is(result.code, 2);
  t.regex(result.stderr, /INVALID_INPUT: --input: not valid JSON/);
});

test('an invalid app.json exits 1 naming the file and field', async (t) => {
  const app = await copyFixtureApp('basic');
  await writeFile(join(app, 'app.json'), '{ "functions": { "greet": { "timeoutMs": "soon" } } }');
  const result = await run('run', app, 'greet', '--local');
  t.is(result.code, 1);
  t.regex(result.stderr, /INVALID_APP: app\.json: functions\.greet\.timeoutMs/);
});

test('--help explains every option of run, and says --local is no sandbox', async (t) => {
  const result = await run('run', '--help');
  for (const option of ['--input', '--cache', '--precomputed', '--save-results', '--local']) t.true(result.stdout.includes(option), option);
  t.regex(result.stdout, /NO SANDBOX/);
});

test('run --local runs a function that reads a template of its app beside it', async (t) => {
  const result = await run('run', await copyFixtureApp('styles'), 'template', '--local', '--input', '{"title":"Local"}');
  t.is(result.code, 0, result.stderr);
  t.like(JSON.parse(result.stdout), { ok: true, output: { html: '<h1>Local</h1>\n', file: 'functions/template.js' } });
});

test('run --local leaves no process folder behind when nothing ran: an app that does not load, a precomputed answer', async (t) => {
  // Its harness process starts before the app is even read; it must go with the run either way.
  const runDir = join(await tempFolder('ec-cli'), 'run');
  const env = { ...process.env, EDGECOURIER_RUN_DIR: runDir };
  const app = await copyFixtureApp('basic');
  const saved = join(await tempFolder('ec-cli'), 'results.json');
  const ran = await runCli(['run', app, 'greet', '--local', '--input', '{"name":"x"}', '--save-results', saved], { env });
  t.is(ran.code, 0, ran.stderr);
  const replay = await runCli(['run', app, 'greet', '--local', '--input', '{"name":"x"}', '--precomputed', saved], { env });
  t.like(JSON.parse(replay.stdout), { ok: true, stats: { executed: 0, precomputedHits: 1 } });
  await writeFile(join(app, 'app.json'), '{ "functions": "none" }');
  const broken = await runCli(['run', app, 'greet', '--local'], { env });
  t.like(JSON.parse(broken.stdout), { ok: false, error: { code: 'INVALID_APP' } });
  t.deepEqual(await readdir(runDir), []);
});
