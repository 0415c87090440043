/**
 * @module How a protocol line carries a payload. Kept apart from protocol.ts so that the harness, which
 * needs only this, does not bundle the host's validation (zod) into every sandbox.
 */

/**
 * Messages that carry a payload (an input, a result) are written as one line: the header's JSON, a tab,
 * then the payload's JSON. JSON.stringify never writes a raw tab, so the first one divides them (in bytes
 * too: no byte of a multi-byte UTF-8 character is a tab). The harness's main thread passes payloads
 * between the socket and its workers without parsing them; and a payload parsed on its own cannot add
 * fields to its header.
 */
export function framed(header: object, payloadJson: string): string {
  return frameHead(header) + payloadJson;
}

/** What goes before the payload on a line. */
export function frameHead(header: object): string {
  return `${JSON.stringify(header)}\t`;
}

/** A line split into its header's text and its payload's text (undefined for a message without one). */
export function unframe(line: string): { header: string; payload: string | undefined } {
  const tab = line.indexOf('\t');
  return tab === -1 ? { header: line, payload: undefined } : { header: line.slice(0, tab), payload: line.slice(tab + 1) };
}
