/** What the courier makes of each path under the synced root: requests, app files, and debris it leaves alone. */
import test from 'ava';
import { sep } from 'node:path';
import { classify } from '../../courier/layout.ts';

const cases: Array<[string, ReturnType<typeof classify>]> = [
  ['shop/requests/order-1.json', { kind: 'request', app: 'shop', id: 'order-1' }],
  ['shop/functions/pay.js', { kind: 'app-file', app: 'shop' }],
  ['shop/app.json', { kind: 'app-file', app: 'shop' }],
  ['shop/package.json', { kind: 'app-file', app: 'shop' }],
  ['shop/results/order-1.json', { kind: 'ignored' }],
  ['shop/node_modules/x/index.js', { kind: 'ignored' }],
  ['shop/requests/deeper/order.json', { kind: 'ignored' }],
  ['shop/requests/notes.txt', { kind: 'ignored' }],
  ['shop/requests/order.pending.json', { kind: 'ignored' }],
  ["shop/requests/order (Ada's conflicted copy 2026-11-23).json", { kind: 'ignored' }],
  ['shop/requests/~$order.json', { kind: 'ignored' }],
  ['shop/requests/.~lock.order.json#', { kind: 'ignored' }],
  ['shop/requests/order.json.tmp', { kind: 'ignored' }],
  ['shop/requests/.order.json', { kind: 'ignored' }],
  ['shop/requests/desktop.ini', { kind: 'ignored' }],
  ['shop/.DS_Store', { kind: 'ignored' }],
  ['.dropbox.cache/shop/requests/a.json', { kind: 'ignored' }],
  ['readme.json', { kind: 'ignored' }],
];

for (const [path, expected] of cases) {
  test(`${path} is ${expected.kind}`, (t) => {
    t.deepEqual(classify(path.split('/').join(sep)), expected);
  });
}
