/** @module The sandbox base image on real Docker: one image per harness however many cache folders build it, and older ones removed. */
import test from 'ava';
import { ensureBaseImage } from '../../docker/base-image.ts';
import { ensureEngine } from '../../docker/engine.ts';
import { buildHarness } from '../../runtime/harness-bundle.ts';
import { tempFolder } from '../helpers/temp.ts';

test('the same harness built into two cache folders is one base image, not a new 100 MB one for each', async (t) => {
  const docker = await ensureEngine();
  const refs = [];
  for (const label of ['ec-harness-a', 'ec-harness-b']) refs.push(await ensureBaseImage(docker, await buildHarness(await tempFolder(label))));
  t.is(refs[0], refs[1]);
  const tags = (await docker.listImages()).flatMap((image) => image.RepoTags ?? []).filter((tag) => tag.startsWith('edgecourier-runtime:'));
  t.true(tags.includes(refs[0]!), tags.join(', '));
});
