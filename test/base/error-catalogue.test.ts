/** docs/errors.md documents every error code of the catalogue, and no code that no longer exists. */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { errorCatalogue, isPlatformError } from '../../base/errors.ts';
import { httpStatus } from '../../cloud/http-status.ts';

test('every error code is documented with its HTTP status, and none is stale', async (t) => {
  const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map([...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]));
  t.deepEqual([...documented.keys()].sort(), Object.keys(errorCatalogue).sort());
  for (const [code, status] of Object.entries(httpStatus)) t.is(documented.get(code), status, code);
});

test('the docs say which codes are platform failures, which the courier tries again', async (t) => {
  const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map([...doc.matchAll(/^\| `([A-Z_]+)` \| \d{3} \|(.*)$/gm)].map((m) => [m[1], m[2]!]));
  for (const code of Object.keys(errorCatalogue) as Array<keyof typeof errorCatalogue>) {
    t.is(rows.get(code)!.includes('A platform failure'), isPlatformError(code), code);
  }
});
