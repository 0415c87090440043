/** The host reads a harness's lines capped: a function shares the harness's process and may write lines of its own onto the socket. */
import test from 'ava';
import { framed } from '../../runtime/framing.ts';
import { parseHarnessLine } from '../../runtime/protocol.ts';
import { MAX_ERROR_MESSAGE_CHARS, MAX_LOG_LINE_CHARS, MAX_LOG_LINES } from '../../runtime/text-caps.ts';

const huge = 'E'.repeat(8e6);
const cutNote = /… \[edgecourier: \d+ more characters were cut\]$/;

test('a forged result with an 8 MB error message and a thousand log lines, one of 8 MB, is read capped, saying so', (t) => {
  const logs = Array.from({ length: 1000 }, () => ({ level: 'log', message: 'L'.repeat(10_000) }));
  logs[0]!.message = huge;
  const line = framed({ t: 'result', id: 'call-1', logs }, JSON.stringify({ ok: false, error: { code: 'FUNCTION_THREW', message: huge } }));
  const message = parseHarnessLine(line);
  if (message?.t !== 'result' || message.result.ok) return t.fail(`read as ${JSON.stringify(message)?.slice(0, 200)}`);
  t.true(message.result.error.message.length <= MAX_ERROR_MESSAGE_CHARS);
  t.regex(message.result.error.message, cutNote);
  t.is(message.logs.length, MAX_LOG_LINES + 1);
  t.true(message.logs.every((entry) => entry.message.length <= MAX_LOG_LINE_CHARS));
  t.regex(message.logs[0]!.message, cutNote);
});

test('a forged call to a function with an 8 MB name is read with the name cut', (t) => {
  const message = parseHarnessLine(framed({ t: 'call', id: 'call-1', callId: 1, fn: huge }, 'null'));
  if (message?.t !== 'call') return t.fail(`read as ${message?.t}`);
  t.true(message.fn.length <= 256);
});

test('a result whose output nests deeper than the host can serialise is read as INVALID_OUTPUT', (t) => {
  const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
  const message = parseHarnessLine(framed({ t: 'result', id: 'call-1', logs: [] }, `{"ok":true,"output":${deep}}`));
  if (message?.t !== 'result') return t.fail(`read as ${message?.t}`);
  t.like(message.result, { ok: false, error: { code: 'INVALID_OUTPUT' } });
});

test("a forged result's function code and status are kept only when the harness could have sent them", (t) => {
  const read = (error: object) => {
    const message = parseHarnessLine(
      framed({ t: 'result', id: 'call-1', logs: [] }, JSON.stringify({ ok: false, error: { code: 'FUNCTION_THREW', message: 'm', ...error } })),
    );
    return message?.t === 'result' && !message.result.ok ? message.result.error : undefined;
  };
  t.deepEqual(read({ functionCode: 'NOT_FOUND_ITEM', statusCode: 404 }), {
    code: 'FUNCTION_THREW',
    message: 'm',
    functionCode: 'NOT_FOUND_ITEM',
    statusCode: 404,
  });
  t.deepEqual(read({ functionCode: 'C'.repeat(65), statusCode: 200 }), { code: 'FUNCTION_THREW', message: 'm' });
  t.deepEqual(read({ functionCode: 'a b', statusCode: '404' }), { code: 'FUNCTION_THREW', message: 'm' });
});
