/**
 * @module The baseline for ported functions: each one run by plain node the way its home platform calls it
 * (a default export or module.exports with an input, an AWS Lambda handler with an event and a context, an
 * OpenWhisk action's main evaluated from its source), with its dependencies installed by npm.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const homePlatforms = fileURLToPath(new URL('../fixtures/ports/home-platforms.mjs', import.meta.url));

/** The function's output when plain node runs it as its home platform would. */
export async function runPlain(appDir: string, fn: string, platform: HomePlatform, input: unknown): Promise<unknown> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--no-warnings', homePlatforms, appDir, fn, platform, JSON.stringify(input)], {
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as unknown;
}
