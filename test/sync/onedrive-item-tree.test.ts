/** OneDrive delta items carry ids, not paths: the id tree turns renames, moves and deletions into path changes. */
import test from 'ava';
import type { RemoteEntry } from '../../sync/backend.ts';
import { ItemTree, type DriveItem } from '../../sync/onedrive/item-tree.ts';

const folder = (id: string, name: string, parent: string): DriveItem => ({ id, name, parentReference: { id: parent }, folder: {} });
const file = (id: string, name: string, parent: string, eTag = `${id}-1`): DriveItem => ({
  id,
  name,
  eTag,
  size: 3,
  parentReference: { id: parent },
  file: {},
});
const deleted = (id: string): DriveItem => ({ id, deleted: {} });
const summary = (entries: RemoteEntry[]) => entries.map((entry) => `${entry.kind} ${entry.path}`);

function shopTree(): ItemTree {
  const tree = new ItemTree('root');
  // The synced folder itself comes in delta too, with a parent outside it; it is no entry.
  tree.apply([
    { id: 'root', name: 'edge', parentReference: { id: 'drive' }, folder: {} },
    folder('shop', 'shop', 'root'),
    folder('req', 'requests', 'shop'),
    file('a', 'a.json', 'req'),
  ]);
  return tree;
}

test('a full listing gives every item a path relative to the root, whatever the order of the items', (t) => {
  const tree = new ItemTree('root');
  const entries = tree.apply([file('a', 'a.json', 'req'), folder('req', 'requests', 'shop'), folder('shop', 'shop', 'root')]);
  t.deepEqual(summary(entries).sort(), ['file shop/requests/a.json', 'folder shop', 'folder shop/requests']);
  t.like(
    entries.find((entry) => entry.kind === 'file'),
    { rev: 'a-1', size: 3 },
  );
});

test('renaming a folder moves everything below it, though delta lists only the folder', (t) => {
  const tree = shopTree();
  const entries = tree.apply([folder('shop', 'store', 'root')]);
  t.deepEqual(summary(entries), [
    'deleted shop',
    'deleted shop/requests',
    'deleted shop/requests/a.json',
    'folder store',
    'folder store/requests',
    'file store/requests/a.json',
  ]);
});

test('a file moved to another folder is deleted at its old path and appears at the new one', (t) => {
  const tree = shopTree();
  const entries = tree.apply([folder('res', 'results', 'shop'), file('a', 'a.json', 'res')]);
  t.deepEqual(summary(entries), ['deleted shop/requests/a.json', 'folder shop/results', 'file shop/results/a.json']);
});

test('a deleted folder takes what was below it, even when delta names only the folder', (t) => {
  const tree = shopTree();
  t.deepEqual(summary(tree.apply([deleted('req')])), ['deleted shop/requests', 'deleted shop/requests/a.json']);
  t.deepEqual(
    tree.apply([file('b', 'b.json', 'shop')]).map((entry) => entry.path),
    ['shop/b.json'],
    'the orphans are gone for good',
  );
});

test('items that are neither file nor folder, or outside the root, are no entries', (t) => {
  const tree = shopTree();
  const notebook: DriveItem = { id: 'n', name: 'Notes', parentReference: { id: 'shop' } };
  t.deepEqual(tree.apply([notebook, file('x', 'x.txt', 'elsewhere')]), []);
});
