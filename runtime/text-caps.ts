/**
 * @module The caps on text a function controls (its error's message and stack, its console lines), applied
 * where the text is made (the harness's worker), where it crosses into the host (the protocol) and where
 * the cloud keeps it (the invocation log): a hostile function must not fill anyone's memory with it.
 */

/** Bytes of a function's serialised result (its output in `{ "ok": true, "output": … }`). */
export const MAX_OUTPUT_BYTES = 6 * 1024 * 1024;

/** True when `text` takes more than `max` bytes in UTF-8; counted only when its length leaves it in doubt (at most 3 bytes a character). */
export function overBytes(text: string, max: number): boolean {
  return text.length > max || (text.length * 3 > max && Buffer.byteLength(text) > max);
}

/** Characters of an error's message, its stack included. */
export const MAX_ERROR_MESSAGE_CHARS = 16 * 1024;
/** Console lines kept per execution; one more says the rest were dropped. */
export const MAX_LOG_LINES = 200;
/** Characters of one console line. */
export const MAX_LOG_LINE_CHARS = 4096;

/** Room for the note; the count it carries has at most 16 digits. It goes on the same line, so a message cut to its first line still says it was cut. */
const NOTE_ROOM = 64;

/**
 * `text` itself when it fits in `max` characters, else its start and a note of how much was cut, together
 * at most `max` characters, so a text capped once passes every later cap unchanged.
 * @example capText('E'.repeat(8e6), MAX_ERROR_MESSAGE_CHARS) // 'EEE…… [edgecourier: 7983680 more characters were cut]'
 */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const kept = max - NOTE_ROOM;
  return `${text.slice(0, kept)}… [edgecourier: ${text.length - kept} more characters were cut]`;
}
