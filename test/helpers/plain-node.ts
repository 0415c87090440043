/**
 * @module The baseline for ported functions: each one run by plain node the way its home platform calls it
 * (a default export or module.exports with an input, an AWS Lambda handler with an event and a context, an
 * OpenWhisk action's main evaluated from its source), with its dependencies installed by npm.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempFolder } from './temp.ts';

/** How the function's home platform calls it. */
export type HomePlatform = 'module' | 'lambda' | 'openwhisk';

/** Copies the app and installs its package.json with npm, as its author would before running it. */
export async function installedCopy(appDir: string): Promise<string> {
  const dir = join(await tempFolder('ec-plain'), 'app');
  await cp(appDir, dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) return dir;
  await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeout: 300_000 });
  return dir;
}

// Runs in a child node: a ctx.call made by a module-style function calls the app's own function in process.
const runner = `
const { pathToFileURL } = require('node:url');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const [appDir, fn, platform, inputJson] = process.argv.slice(1);
const input = JSON.parse(inputJson);
const { existsSync } = require('node:fs');
const fileOf = (name) => ['.js', '.mjs', '.cjs'].map((ext) => join(appDir, 'functions', name + ext)).find(existsSync);
const load = (name) => import(pathToFileURL(fileOf(name)).href);
async function call(name, value) {
  const module = await load(name);
  const body = module.default;
  return body(value, { fn: name, invocationId: 'plain', call });
}
async function run() {
  if (platform === 'module') return call(fn, input);
  if (platform === 'lambda') {
    const started = Date.now();
    const context = { functionName: fn, awsRequestId: 'plain', getRemainingTimeInMillis: () => 60000 - (Date.now() - started) };
    return (await load(fn)).handler(input, context);
  }
  const source = readFileSync(fileOf(fn), 'utf8');
  return new Function(source + '\\nreturn main;')()(input);
}
run().then((output) => process.stdout.write(JSON.stringify(output ?? null)), (error) => { console.error(error); process.exit(1); });
`;

/** The function's output when plain node runs it as its home platform would. */
export async function runPlain(appDir: string, fn: string, platform: HomePlatform, input: unknown): Promise<unknown> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--experimental-detect-module', '--no-warnings', '-e', runner, appDir, fn, platform, JSON.stringify(input)],
    { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as unknown;
}
