/** Versions from the command line: deploy --tag, versions, rollback, freeze and pull --version, against a cloud on real Docker. */
import test from 'ava';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { tempFolder } from '../helpers/temp.ts';
import { cliEnv, useCloud } from '../helpers/use-cloud.ts';

const example = fileURLToPath(new URL('../../docs/examples/hello', import.meta.url));

const cloud = useCloud(test, { docker: true, signUp: false });
let env: NodeJS.ProcessEnv;
/** The example app, as a folder this test edits. */
let appDir: string;

const run = (...args: string[]) => runCli(args, { env });

/** What the app's public greet endpoint answers. */
async function greet(appId: string): Promise<string> {
  const response = await fetch(`${cloud.url}/run/${appId}/greet`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"input":{"name":"v"}}',
  });
  return ((await response.json()) as { output: { message: string } }).output.message;
}

test.before(async () => {
  const dir = await tempFolder('ec-versions-cli');
  env = cliEnv(cloud.url, dir);
  appDir = join(dir, 'hello');
  await cp(example, appDir, { recursive: true });
  const signedUp = await run('signup', '--url', cloud.url, '--email', 'versions@example.com');
  if (signedUp.code !== 0) throw new Error(signedUp.stderr);
});

test.serial('deploy --tag names each version; versions lists them newest first, the active one marked', async (t) => {
  const first = await run('deploy', appDir, '--tag', '1.0.0', '-m', 'the first release', '--start', '--json');
  t.is(first.code, 0, first.stderr);
  const v1 = JSON.parse(first.stdout) as { id: string; version: string };
  t.regex(v1.version, /^[0-9a-f]{64}$/);
  t.is(await greet(v1.id), 'hello V');

  const greetJs = join(appDir, 'functions', 'greet.js');
  await writeFile(greetJs, (await readFile(greetJs, 'utf8')).replace('`hello ', '`howdy '));
  const second = await run('deploy', appDir, '--tag', '2.0.0', '--json');
  t.is(second.code, 0, second.stderr);
  const v2 = JSON.parse(second.stdout) as { version: string };
  t.not(v2.version, v1.version);
  t.is(await greet(v1.id), 'howdy V');

  const listed = await run('versions', 'hello');
  t.is(listed.code, 0, listed.stderr);
  const lines = listed.stdout.trim().split('\n');
  t.is(lines.length, 2);
  t.regex(lines[0]!, new RegExp(`^\\*  ${v2.version.slice(0, 12)}  2\\.0\\.0  .*versions@example\\.com.*changed functions/greet\\.js$`));
  t.regex(lines[1]!, new RegExp(`^   ${v1.version.slice(0, 12)}  1\\.0\\.0  .*the first release$`));
  const json = JSON.parse((await run('versions', 'hello', '--json')).stdout) as Array<{ id: string; active: boolean }>;
  t.deepEqual(
    json.map((version) => [version.id, version.active]),
    [
      [v2.version, true],
      [v1.version, false],
    ],
  );
});

test.serial('rollback makes the tagged version active, and the endpoint answers from it at once', async (t) => {
  const { id } = JSON.parse((await run('apps', '--json')).stdout)[0] as { id: string };
  const rolled = await run('rollback', 'hello', '1.0.0');
  t.is(rolled.code, 0, rolled.stderr);
  t.regex(rolled.stdout, /^app hello serves version [0-9a-f]{12} \(1\.0\.0\) now\n$/);
  t.is(await greet(id), 'hello V');
  const missing = await run('rollback', 'hello', '9.9.9');
  t.is(missing.code, 1);
  t.regex(missing.stderr, /VERSION_NOT_FOUND: app "hello" has no version "9\.9\.9"/);
});

test.serial('freeze keeps a version from deletion, and --off lets it go again', async (t) => {
  const frozen = await run('freeze', 'hello', '2.0.0');
  t.is(frozen.code, 0, frozen.stderr);
  t.regex(frozen.stdout, /^version [0-9a-f]{12} of app hello is frozen\n$/);
  t.like(JSON.parse((await run('versions', 'hello', '--json')).stdout), [{ tag: '2.0.0', frozen: true }]);
  const thawed = await run('freeze', 'hello', '2.0.0', '--off', '--json');
  t.is(thawed.code, 0, thawed.stderr);
  t.like(JSON.parse(thawed.stdout), { tag: '2.0.0', frozen: false });
});

test.serial('pull --version writes that version’s files, not the active one’s', async (t) => {
  const dir = join(await tempFolder('ec-pulled-version'), 'v2');
  const pulled = await run('pull', 'hello', dir, '--version', '2.0.0');
  t.is(pulled.code, 0, pulled.stderr);
  t.regex(pulled.stderr, /wrote 3 files of app hello \(version 2\.0\.0\)/);
  t.is(await readFile(join(dir, 'functions', 'greet.js'), 'utf8'), await readFile(join(appDir, 'functions', 'greet.js'), 'utf8'));
  t.regex(await readFile(join(dir, 'functions', 'greet.js'), 'utf8'), /howdy/);
  const active = join(await tempFolder('ec-pulled-active'), 'v1');
  t.is((await run('pull', 'hello', active)).code, 0);
  t.regex(await readFile(join(active, 'functions', 'greet.js'), 'utf8'), /`hello /);
  const both = await run('pull', 'hello', 'greet', join(active, 'x'), '--version', '2.0.0');
  t.is(both.code, 2);
  t.regex(both.stderr, /--version pulls a whole app/);
});

test('every version command has --help that says what it does', async (t) => {
  const helps: Array<[string[], RegExp]> = [
    [['versions', '--help'], /--json[\s\S]*20 newest versions/],
    [['rollback', '--help'], /<version>[\s\S]*not installed again/],
    [['freeze', '--help'], /--off[\s\S]*at most 20 frozen/],
    [['pull', '--help'], /--version <version>/],
    [['deploy', '--help'], /--tag <tag>[\s\S]*--message <text>/],
  ];
  for (const [args, says] of helps) {
    const help = await run(...args);
    t.is(help.code, 0, args.join(' '));
    t.regex(help.stdout, says, args.join(' '));
  }
});
