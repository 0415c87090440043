/** @module Splits a stream of bytes into lines, in time linear in its length however the chunks fall. Both ends of the harness protocol read through this. */

const NEWLINE = 0x0a;

/**
 * Lines are bytes: the harness hands long payloads on to its worker threads without decoding them, and the
 * host decodes each line once.
 */
export class LineReader {
  /** The incomplete line so far, in pieces: joining them only once its newline arrives keeps long lines linear. */
  #pieces: Buffer[] = [];
  #pieceBytes = 0;
  #maxLineBytes: number;
  #onLine: (line: Buffer) => void;
  #onOverflow: () => void;
  #stopped = false;

  /** `onLine` gets a line within its chunk, or joined into new memory when it came in several. */
  constructor(maxLineBytes: number, onLine: (line: Buffer) => void, onOverflow: () => void) {
    this.#maxLineBytes = maxLineBytes;
    this.#onLine = onLine;
    this.#onOverflow = onOverflow;
  }

  /** Takes no more lines, also from the rest of a chunk being read. */
  stop(): void {
    this.#stopped = true;
  }

  push(chunk: Buffer): void {
    let start = 0;
    let newline: number;
    while (!this.#stopped && (newline = chunk.indexOf(NEWLINE, start)) !== -1) {
      const length = this.#pieceBytes + newline - start;
      if (length > this.#maxLineBytes) return this.#overflow();
      this.#pieces.push(chunk.subarray(start, newline));
      const line = this.#pieces.length === 1 ? this.#pieces[0]! : Buffer.concat(this.#pieces, length);
      this.#pieces = [];
      this.#pieceBytes = 0;
      start = newline + 1;
      if (length > 0) this.#onLine(line);
    }
    if (this.#stopped || start >= chunk.length) return;
    this.#pieces.push(chunk.subarray(start));
    this.#pieceBytes += chunk.length - start;
    if (this.#pieceBytes > this.#maxLineBytes) this.#overflow();
  }

  #overflow(): void {
    this.stop();
    this.#onOverflow();
  }
}
