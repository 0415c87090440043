/**
 * @module A function's output as an HTTP response, for endpoints set to `"response": "http"` (AWS Lambda's proxy
 * integration shape: `{ statusCode, headers?, body?, isBase64Encoded? }`). The output is the function's to shape, so
 * every part is checked here: the status, each header's name and value, their count and size, the body's encoding.
 * Headers that frame the connection are the cloud's and are dropped, as a proxy drops them; headers that would act
 * on the cloud's origin beyond this app are refused.
 */
import { z } from 'zod';
import { EdgeError } from '../base/errors.ts';
import { describeIssues } from '../base/zod-issues.ts';

/** The HTTP response the cloud sends for a function's output. */
export interface HttpAnswer {
  status: number;
  /** Lower-case names; values as the function gave them. */
  headers: Record<string, string>;
  body: Buffer;
}

/** Headers of one response: Node's own HTTP client refuses a response whose headers pass 16 KiB. */
const MAX_HEADERS = 64;
const MAX_HEADER_BYTES = 16 * 1024;

/** A token (RFC 9110): what Node accepts as a header name. */
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
/** Visible characters, spaces and tabs, and Latin-1 beyond ASCII: no line break or NUL that would end the header early. */
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The connection's framing is the cloud's (RFC 9110 §7.6.1 has a proxy drop hop-by-hop headers): a function's
 * Content-Length or Transfer-Encoding could disagree with the body sent, and split one response into two.
 */
const droppedHeaders = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'content-length']);

/**
 * Every app's endpoints share the cloud's origin: a cookie set by one reaches the others and the cloud's API,
 * where it could replace a visitor's session; Clear-Site-Data would wipe the visitor's session for the cloud.
 */
const refusedHeaders = new Map([
  [
    'set-cookie',
    "cookies are not set through endpoints: every app's endpoints share the cloud's origin, so a cookie would reach other apps and the cloud's own session",
  ],
  ['clear-site-data', "Clear-Site-Data would act on the whole cloud's origin, other apps and the cloud's session included"],
]);

/**
 * Sent with every such response. A page runs sandboxed, at an origin of its own: without this it would share the
 * cloud's origin, and its scripts could call the cloud's API and other apps' endpoints as the visitor.
 */
export const httpAnswerGuards = {
  'content-security-policy': 'sandbox allow-scripts allow-forms allow-popups allow-downloads',
  'x-content-type-options': 'nosniff',
};

const responseSchema = z.strictObject({
  // 1xx are not final answers: a client would wait for one that never comes.
  statusCode: z.number().int().min(200).max(599),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
});

/** Statuses whose answer has no body, and no Content-Length either (RFC 9110 §8.6). */
export const bodiless = (status: number) => status === 204 || status === 304;

function refuse(problem: string): EdgeError {
  return new EdgeError('INVALID_OUTPUT', `the endpoint sends its function's output as the HTTP response ("response": "http"), but ${problem}`);
}

function checkedHeaders(given: Record<string, string>, isBase64: boolean): Record<string, string> {
  const names = Object.keys(given);
  if (names.length > MAX_HEADERS) throw refuse(`the output has ${names.length} headers; at most ${MAX_HEADERS} are sent`);
  const headers: Record<string, string> = {};
  let bytes = 0;
  for (const name of names) {
    const value = given[name]!;
    if (!headerName.test(name))
      throw refuse(`headers: ${JSON.stringify(name.slice(0, 100))} is not a header name (letters, digits and !#$%&'*+.^_\`|~-, at most 256)`);
    if (!headerValue.test(value)) throw refuse(`headers.${name}: the value holds a line break, NUL or other control character`);
    const lower = name.toLowerCase();
    const refusal = refusedHeaders.get(lower);
    if (refusal) throw refuse(`headers.${name}: ${refusal}`);
    if (droppedHeaders.has(lower)) continue;
    if (Object.hasOwn(headers, lower)) throw refuse(`headers: ${lower} is given twice (header names are case-insensitive)`);
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value, 'latin1') + 4;
    if (bytes > MAX_HEADER_BYTES) throw refuse(`the headers take more than ${MAX_HEADER_BYTES} bytes`);
    headers[lower] = value;
  }
  headers['content-type'] ??= isBase64 ? 'application/octet-stream' : 'text/plain; charset=utf-8';
  return headers;
}

/**
 * The HTTP response `output` describes; INVALID_OUTPUT saying what is wrong when it is not one.
 * @example httpAnswerOf({ statusCode: 404, headers: { 'Content-Type': 'text/html' }, body: '<h1>No such page</h1>' })
 */
export function httpAnswerOf(output: unknown): HttpAnswer {
  const parsed = responseSchema.safeParse(output);
  if (!parsed.success) {
    throw refuse(
      `the output is not of the shape { statusCode: 200–599, headers?: { name: string }, body?: string, isBase64Encoded?: boolean }: ${describeIssues('output', parsed.error)}`,
    );
  }
  const { statusCode, headers = {}, body = '', isBase64Encoded = false } = parsed.data;
  if (isBase64Encoded && !base64.test(body)) throw refuse('isBase64Encoded is true and the body is not base64');
  if (bodiless(statusCode) && body !== '') throw refuse(`a ${statusCode} answer has no body, and the output has one`);
  return { status: statusCode, headers: checkedHeaders(headers, isBase64Encoded), body: Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8') };
}
