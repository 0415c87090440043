/** @module The compiled program carries the harness the sources make, and names the same base image for it, so neither builds another. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliPath } from '../../build/dist.ts';
import { ensureBaseImage } from '../../docker/base-image.ts';
import { ensureEngine } from '../../docker/engine.ts';
import { buildHarness, prebuiltHarnessDir } from '../../runtime/harness-bundle.ts';
import { tempFolder } from '../helpers/temp.ts';

test('the compiled harness is the one built from the sources, byte for byte', async (t) => {
  const fromSources = await buildHarness(await tempFolder('ec-harness'));
  const names = (await readdir(prebuiltHarnessDir)).sort();
  t.deepEqual(names, (await readdir(fromSources.dir)).sort());
  for (const name of names) t.true((await readFile(join(prebuiltHarnessDir, name))).equals(await readFile(join(fromSources.dir, name))), name);
});

test('edgecourier setup, compiled, readies the base image the sources name', async (t) => {
  const expected = await ensureBaseImage(await ensureEngine(), await buildHarness(await tempFolder('ec-harness')));
  const { stderr } = await promisify(execFile)(process.execPath, [cliPath, 'setup', '--no-install'], { timeout: 120_000 });
  t.regex(stderr, new RegExp(`base image ${expected} is ready`));
});
