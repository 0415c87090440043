/** @module Finds npm's own script, so that npm runs under this node with no shell and no `env` (the service images have neither). */
import { access, realpath } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';

/** Where npm's package sits beside a node binary, in the layout of Node's own installers (and of the service images). */
export function npmBesideNode(node: string): string {
  return join(dirname(node), '..', 'lib', 'node_modules', 'npm');
}

/**
 * npm-cli.js of the npm beside this node (the one made for it), else of the `npm` found on the PATH; undefined
 * when there is neither. The `npm` on the PATH is a link to that script with a `#!/usr/bin/env node` line, which
 * needs an `env` that a node-only image lacks; running the script with process.execPath needs nothing else.
 * @example const cli = await findNpmCli(); if (cli) spawn(process.execPath, [cli, 'ci'])
 */
export async function findNpmCli(): Promise<string | undefined> {
  const beside = join(npmBesideNode(await realpath(process.execPath)), 'bin', 'npm-cli.js');
  if (await readable(beside)) return beside;
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const target = await realpath(join(dir, 'npm')).catch(() => undefined);
    if (target?.endsWith('npm-cli.js')) return target;
  }
  return undefined;
}

async function readable(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
