/** @module `npm pack` makes a package that installs and runs on its own: the command, its help, and a function run with no service. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listProductionModules } from '../../deploy/project-files.ts';
import { findNpmCli } from '../../runtime/npm-cli.ts';
import { packageRoot } from '../../runtime/package-root.ts';
import { copyFixtureApp } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';

const exec = promisify(execFile);

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

/** npm as a user runs it, without the settings a parent npm (`npm test`) passes down as npm_config_*. */
async function npm(args: string[], cwd: string): Promise<string> {
  const cli = await findNpmCli();
  if (!cli) throw new Error('no npm beside node or on the PATH');
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_config_')));
  return (await exec(process.execPath, [cli, ...args], { cwd, env, timeout: 60_000 })).stdout;
}

/**
 * A project folder whose node_modules already holds edgecourier's production dependencies, copied from this
 * checkout's (as the service images copy them): `npm install --offline` then needs the registry for nothing.
 */
async function projectWithDependencies(dir: string): Promise<string> {
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'a-user-project', private: true }));
  const modules = await listProductionModules();
  for (const folder of modules.dirs) await mkdir(join(dir, folder), { recursive: true });
  await Promise.all(modules.files.map((file) => copyFile(file.source, join(dir, file.path))));
  return dir;
}

test('the packed tarball installs without the network, and its edgecourier command shows its help and runs a TypeScript function', async (t) => {
  const dir = await tempFolder('ec-pack');
  const [packed] = JSON.parse(await npm(['pack', '--json', '--pack-destination', dir], packageRoot)) as PackResult[];
  const paths = packed!.files.map((file) => file.path);
  t.true(paths.includes('dist/edgecourier.js'), paths.join(', '));
  t.deepEqual(
    paths.filter((path) => path.endsWith('.ts')),
    [],
    'the package holds the compiled program, not its sources',
  );

  const project = await projectWithDependencies(join(dir, 'project'));
  // No tsx and no TypeScript among them: the installed command must run without either.
  await npm(['install', '--offline', '--no-package-lock', '--no-audit', '--no-fund', join(dir, packed!.filename)], project);
  const edgecourier = join(project, 'node_modules', '.bin', 'edgecourier');

  const help = await exec(edgecourier, ['--help']);
  t.regex(help.stdout, /Usage: edgecourier/);
  t.regex(help.stdout, /run \[options\] <appDir> <function>/);

  // greet calls upper, which is TypeScript: compiled at run time by the esbuild the package depends on.
  const app = await copyFixtureApp('basic');
  const run = await exec(edgecourier, ['run', app, 'greet', '--local', '--input', '{"name":"packed"}'], { timeout: 60_000 });
  t.like(JSON.parse(run.stdout), { ok: true, output: { message: 'hello PACKED' } });
});
