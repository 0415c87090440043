/** A function's output read as an HTTP response: each part it controls is checked, framing headers dropped, origin-wide ones refused. */
import test, { type ExecutionContext } from 'ava';
import { EdgeError } from '../../base/errors.ts';
import { httpAnswerOf } from '../../cloud/http-response.ts';

const refused = (t: ExecutionContext, output: unknown, message: RegExp) =>
  t.throws(() => httpAnswerOf(output), { instanceOf: EdgeError, code: 'INVALID_OUTPUT', message });

test('status, headers and body are taken as given, header names lower-cased', (t) => {
  const answer = httpAnswerOf({ statusCode: 201, headers: { 'Content-Type': 'text/html', 'X-Item': '7' }, body: '<p>é</p>' });
  t.deepEqual(answer, { status: 201, headers: { 'content-type': 'text/html', 'x-item': '7' }, body: Buffer.from('<p>é</p>') });
});

test('a base64 body is decoded to its bytes; without a content type it is sent as octet-stream, text as plain text', (t) => {
  const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
  t.like(httpAnswerOf({ statusCode: 200, body: bytes.toString('base64'), isBase64Encoded: true }), {
    body: bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  t.like(httpAnswerOf({ statusCode: 200, body: 'hi' }), { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  t.deepEqual(httpAnswerOf({ statusCode: 302, headers: { Location: '/elsewhere' } }).body, Buffer.alloc(0));
});

test('framing and hop-by-hop headers are dropped: the cloud frames the connection', (t) => {
  const headers = {
    'Content-Length': '999',
    'Transfer-Encoding': 'chunked',
    Connection: 'close',
    'Keep-Alive': 'timeout=1',
    Upgrade: 'h2c',
    TE: 'trailers',
    'X-Kept': 'yes',
  };
  t.deepEqual(httpAnswerOf({ statusCode: 200, headers, body: 'x' }).headers, { 'x-kept': 'yes', 'content-type': 'text/plain; charset=utf-8' });
});

test('Set-Cookie and Clear-Site-Data are refused, saying that every app shares the origin', (t) => {
  refused(
    t,
    { statusCode: 200, headers: { 'Set-Cookie': 'edgecourier_session=x; Path=/' } },
    /headers\.Set-Cookie: cookies are not set through endpoints: every app's endpoints share the cloud's origin/,
  );
  refused(t, { statusCode: 200, headers: { 'clear-site-data': '"cookies"' } }, /Clear-Site-Data would act on the whole cloud's origin/);
});

test('a header value with a line break, a bad header name or a name given twice is refused', (t) => {
  refused(t, { statusCode: 200, headers: { 'X-Split': 'a\r\nSet-Cookie: s=1' } }, /headers\.X-Split: the value holds a line break/);
  refused(t, { statusCode: 200, headers: { 'Bad Name': 'x' } }, /"Bad Name" is not a header name/);
  refused(t, { statusCode: 200, headers: { 'X-A': '1', 'x-a': '2' } }, /x-a is given twice/);
});

test('more than 64 headers, or more than 16 KiB of them, are refused', (t) => {
  const many = Object.fromEntries(Array.from({ length: 65 }, (_, n) => [`x-h${n}`, 'v']));
  refused(t, { statusCode: 200, headers: many }, /65 headers; at most 64/);
  refused(t, { statusCode: 200, headers: { 'x-big': 'v'.repeat(17_000) } }, /more than 16384 bytes/);
});

test('a status outside 200–599, a body on a 204, a body that is not base64, or other keys are refused, naming the field', (t) => {
  refused(t, { statusCode: 101 }, /output: statusCode/);
  refused(t, { statusCode: 600 }, /output: statusCode/);
  refused(t, { statusCode: '200' }, /output: statusCode/);
  refused(t, { statusCode: 204, body: 'x' }, /a 204 answer has no body/);
  refused(t, { statusCode: 200, body: 'not base64!', isBase64Encoded: true }, /not base64/);
  refused(t, { statusCode: 200, body: 'x', cookies: ['a=1'] }, /cookies/);
  refused(t, { message: 'hello' }, /the output is not of the shape \{ statusCode/);
  refused(t, null, /the output is not of the shape/);
});
