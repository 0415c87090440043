/** @module docs/architecture.md draws the layers exactly as layers.json (which lint enforces) has them. */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import layers from '../../layers.json' with { type: 'json' };

test('the layer table of docs/architecture.md lists each folder of layers.json, in order, with the folders it may import', async (t) => {
  const doc = await readFile(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## The layers'), doc.indexOf('\n## ', doc.indexOf('## The layers') + 1));
  const rows = [...section.matchAll(/^\| `([a-z-]+)\/` \|.*\| ([^|]+) \|$/gm)].map((m) => ({ folder: m[1]!, imports: m[2]!.trim() }));
  const folders = Object.keys(layers) as Array<keyof typeof layers>;
  t.deepEqual(
    rows.map((row) => row.folder),
    folders,
  );
  for (const row of rows) {
    const allowed: readonly string[] = layers[row.folder as keyof typeof layers];
    const expected =
      allowed.length === 0 ? 'nothing of ours' : allowed.length === folders.length - 1 ? 'all of the above' : allowed.map((name) => `\`${name}/\``).join(', ');
    t.is(row.imports, expected, `${row.folder}/`);
  }
});
