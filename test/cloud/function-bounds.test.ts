/** What a function throws or returns is bounded on real Docker: error messages are capped, the logs route stays small, deep output is refused. */
import test from 'ava';
import { api } from '../helpers/cloud.ts';
import { makeApp } from '../helpers/cloud-apps.ts';
import { useCloud } from '../helpers/use-cloud.ts';
import { errorCatalogue, type ErrorCode } from '../../base/errors.ts';
import { MAX_ERROR_MESSAGE_CHARS } from '../../runtime/text-caps.ts';

const session = useCloud(test, { docker: true });

const cutNote = /… \[edgecourier: \d+ more characters were cut\]/;

const throwers = {
  inBody: { code: "export default () => { throw new Error('E'.repeat(8e6)); };\n", public: true },
  outsidePromise: { code: "export default () => new Promise(() => setTimeout(() => { throw new Error('E'.repeat(8e6)); }));\n", public: true },
  atLoad: { code: "throw new Error('E'.repeat(8e6));\nexport default () => 1;\n", public: true },
  aString: { code: "export default () => { throw 'E'.repeat(8e6); };\n", public: true },
  deep: { code: 'export default () => { let v = []; for (let i = 0; i < 5000; i++) v = [v]; return v; };\n', public: true },
};

const cases: Array<[string, keyof typeof throwers, ErrorCode]> = [
  ['throws an 8 MB message from its body', 'inBody', 'FUNCTION_THREW'],
  ['throws an 8 MB message outside its promise', 'outsidePromise', 'FUNCTION_THREW'],
  ['throws an 8 MB message while its module loads', 'atLoad', 'FUNCTION_LOAD_FAILED'],
  ['throws an 8 MB string', 'aString', 'FUNCTION_THREW'],
];

let app: { id: string } | undefined;
// After the session's own before hook, which starts the cloud.
test.serial.before(async () => {
  const { url, token } = session;
  const made = await makeApp(
    url,
    token,
    throwers,
    Object.keys(throwers).map((name) => ({ method: 'POST', path: `/${name}`, function: name, public: true })),
  );
  await api(url, 'POST', `/api/v1/apps/${made.id}/start`, undefined, token);
  app = made;
});

for (const [title, fn, code] of cases) {
  test(`a function that ${title} fails ${code} with the message cut, saying so, for its owner and for strangers`, async (t) => {
    const owner = await session.call('POST', `/apps/${app!.id}/functions/${fn}/invoke`, {});
    t.is(owner.status, 502);
    t.is(owner.body.error.code, code);
    t.true(owner.body.error.message.length <= MAX_ERROR_MESSAGE_CHARS, `${owner.body.error.message.length} characters`);
    t.regex(owner.body.error.message, cutNote);
    const stranger = await api(session.url, 'POST', `/run/${app!.id}/${fn}`, {});
    t.is(stranger.status, 502);
    t.is(stranger.body.error.code, code);
    // Strangers see a thrown error's first line, and only the catalogue's summary of any other failure.
    if (code === 'FUNCTION_THREW') t.regex(stranger.body.error.message, cutNote);
    else t.is(stranger.body.error.message, errorCatalogue[code].summary);
    t.true(stranger.text.length < 2 * MAX_ERROR_MESSAGE_CHARS);
  });
}

test('the logs route stays small after many calls of a function that throws 8 MB messages', async (t) => {
  const calls = 12;
  for (let n = 0; n < calls; n++) {
    const answer = await api(session.url, 'POST', `/run/${app!.id}/inBody`, {});
    t.is(answer.status, 502);
  }
  const logs = await session.call('GET', `/apps/${app!.id}/functions/inBody/logs`);
  t.is(logs.status, 200);
  t.true(logs.body.invocations.length >= calls);
  t.true(logs.text.length < 50 * 100 * 1024, `the logs route answered ${logs.text.length} bytes`);
  for (const entry of logs.body.invocations) t.regex(entry.error.message, cutNote);
});

test('a function that returns output nested 5000 levels deep fails INVALID_OUTPUT', async (t) => {
  const answer = await session.call('POST', `/apps/${app!.id}/functions/deep/invoke`, {});
  t.is(answer.status, 502);
  t.is(answer.body.error.code, 'INVALID_OUTPUT');
  t.regex(answer.body.error.message, /nested deeper than 512 levels/);
});
