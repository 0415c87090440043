/** The catalogue over real HTTP: signed-in users list and search the apps everyone may read, a page at a time, and learn nothing of their owners. */
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { signUp, type Account } from '../helpers/auth-matrix.ts';
import { api, startTestCloud, type TestCloud } from '../helpers/cloud.ts';

let cloud: TestCloud;
let owner: Account;
let visitor: Account;

test.before(async () => {
  cloud = await startTestCloud({ smtp: false });
  [owner, visitor] = await Promise.all([signUp(cloud.url, 'owner'), signUp(cloud.url, 'visitor')]);
});
test.after.always(async () => {
  await cloud?.close();
});

/** A word no other test's apps hold, so that each test searches its own apps in the one cloud. */
const marker = () => `m${randomUUID().replaceAll('-', '')}`;

async function app(name: string, description: string, everyone?: 'READ' | 'RUN'): Promise<{ id: string; name: string }> {
  const { body } = await api(cloud.url, 'POST', '/api/v1/apps', { name, description }, owner.session);
  await api(cloud.url, 'PUT', `/api/v1/apps/${body.id}/functions/resize`, { code: 'export default (input) => input;' }, owner.session);
  if (everyone) await api(cloud.url, 'PUT', `/api/v1/apps/${body.id}/grants/*`, { access: everyone }, owner.session);
  return body;
}

const search = (query: string, account = visitor) => api(cloud.url, 'GET', `/api/v1/catalog?${query}`, undefined, account.session);
const names = (body: { apps: Array<{ name: string }> }) => body.apps.map((listed) => listed.name);

test('it lists the apps everyone may read or run, with what everyone may do, and none that is private or shared with one account', async (t) => {
  const word = marker();
  const reader = await signUp(cloud.url, 'reader');
  const [readable, runnable, , shared] = await Promise.all([
    app(`readable-${word}`, word, 'READ'),
    app(`runnable-${word}`, word, 'RUN'),
    app(`private-${word}`, word),
    app(`shared-${word}`, word),
  ]);
  await api(cloud.url, 'PUT', `/api/v1/apps/${shared.id}/grants/${reader.email}`, { access: 'WRITE' }, owner.session);
  const { status, body, text } = await search(`q=${word}`);
  t.is(status, 200);
  t.deepEqual(names(body).sort(), [readable.name, runnable.name].sort());
  t.like(
    body.apps.find((listed: { id: string }) => listed.id === runnable.id),
    { access: 'RUN', description: word, status: 'stopped', functions: [{ name: 'resize', public: false }], endpoints: [] },
  );
  t.false(text.includes(owner.email), "the owner's address is not shown");
  t.false(text.includes('ownerId'));
  t.false(text.includes('export default'), 'no code');
  t.deepEqual(names((await search(`q=${word}`, reader)).body).sort(), [readable.name, runnable.name].sort(), 'a grant to one account lists nothing');
});

test('a search keeps the apps whose name or description holds every word, in any case', async (t) => {
  const word = marker();
  await Promise.all([
    app(`thumbnails-${word}`, `Resize IMAGES at the edge ${word}`, 'READ'),
    app(`resizer-${word}`, `fast and small ${word}`, 'READ'),
    app(`pdf-${word}`, `render documents ${word}`, 'RUN'),
  ]);
  t.deepEqual(names((await search(`q=${word}+resize`)).body).sort(), [`resizer-${word}`, `thumbnails-${word}`]);
  t.deepEqual(names((await search(`q=${word.toUpperCase()}%20images%20EDGE`)).body), [`thumbnails-${word}`]);
  t.deepEqual(names((await search(`q=${word}+images+pdf`)).body), []);
});

test('pages follow one another, newest change first, with the total of all pages', async (t) => {
  const word = marker();
  const made = [];
  for (let i = 0; i < 5; i++) made.push(await app(`page-${i}-${word}`, word, 'READ'));
  // A change moves an app to the front.
  await api(cloud.url, 'PATCH', `/api/v1/apps/${made[1]!.id}`, { description: `${word} changed` }, owner.session);
  const whole = (await search(`q=${word}&limit=100`)).body;
  t.is(whole.apps[0].name, `page-1-${word}`);
  const times = whole.apps.map((listed: { updatedAt: string }) => listed.updatedAt);
  t.deepEqual(times, [...times].sort().reverse(), 'newest change first');
  const pages = [];
  for (let offset = 0; offset < 6; offset += 2) pages.push((await search(`q=${word}&limit=2&offset=${offset}`)).body);
  t.deepEqual(
    pages.map((page) => [page.apps.length, page.total, page.offset, page.limit]),
    [
      [2, 5, 0, 2],
      [2, 5, 2, 2],
      [1, 5, 4, 2],
    ],
  );
  t.deepEqual(pages.flatMap(names), names(whole), 'the pages hold every app once, in order');
  t.deepEqual(names(whole).sort(), made.map((listed) => listed.name).sort());
});

test('an app leaves the catalogue as soon as the grant to everyone is revoked', async (t) => {
  const word = marker();
  const listed = await app(`leaving-${word}`, word, 'READ');
  t.deepEqual(names((await search(`q=${word}`)).body), [listed.name]);
  await api(cloud.url, 'DELETE', `/api/v1/apps/${listed.id}/grants/*`, undefined, owner.session);
  t.deepEqual(names((await search(`q=${word}`)).body), []);
});

test('the catalogue needs an account, and says what is wrong with a query', async (t) => {
  t.is((await api(cloud.url, 'GET', '/api/v1/catalog')).status, 401);
  for (const query of ['limit=0', 'limit=101', 'offset=-1', 'limit=two', `q=${'x'.repeat(201)}`, 'sort=name']) {
    const { status, body } = await search(query);
    t.is(status, 400, query);
    t.is(body.error.code, 'INVALID_INPUT', query);
  }
});
