/** Call keys identify (function, code version, input) regardless of key order. */
import test from 'ava';
import { callKey, canonicalJson } from '../../runtime/call-key.ts';

test('canonical JSON sorts object keys at every level and keeps array order', (t) => {
  t.is(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }), '{"a":[2,{"c":4,"d":3}],"b":1}');
  t.is(canonicalJson([3, 1, 2]), '[3,1,2]');
});

test('the same input in another key order gives the same key', (t) => {
  t.is(callKey('f', 'v1', { a: 1, b: { c: 2, d: 3 } }), callKey('f', 'v1', { b: { d: 3, c: 2 }, a: 1 }));
});

const distinct: Array<[string, unknown, unknown]> = [
  ['0 and false', 0, false],
  ['null and the empty string', null, ''],
  ['"1" and 1', '1', 1],
  ['[] and {}', [], {}],
];
for (const [what, left, right] of distinct) {
  test(`${what} give different keys`, (t) => {
    t.not(callKey('f', 'v', left), callKey('f', 'v', right));
  });
}

test('another function or another code version gives another key', (t) => {
  t.not(callKey('f', 'v1', 1), callKey('g', 'v1', 1));
  t.not(callKey('f', 'v1', 1), callKey('f', 'v2', 1));
});
