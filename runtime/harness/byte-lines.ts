/** @module Splits the harness's socket stream into lines of bytes, in time linear in its length however the chunks fall. */

const NEWLINE = 0x0a;

/**
 * Each line is copied once into memory of its own, so that its payload can be handed to a worker thread
 * whole; the chunks it came in stay the socket's.
 */
export class ByteLineReader {
  /** The incomplete line so far, in pieces: copying them only once its newline arrives keeps long lines linear. */
  #pieces: Buffer[] = [];
  #pieceBytes = 0;
  #maxLineBytes: number;
  #onLine: (line: Buffer) => void;
  #onOverflow: () => void;
  #stopped = false;

  constructor(maxLineBytes: number, onLine: (line: Buffer) => void, onOverflow: () => void) {
    this.#maxLineBytes = maxLineBytes;
    this.#onLine = onLine;
    this.#onOverflow = onOverflow;
  }

  push(chunk: Buffer): void {
    let start = 0;
    let newline: number;
    while (!this.#stopped && (newline = chunk.indexOf(NEWLINE, start)) !== -1) {
      const length = this.#pieceBytes + newline - start;
      if (length > this.#maxLineBytes) return this.#overflow();
      const line = Buffer.allocUnsafeSlow(length);
      let at = 0;
      for (const piece of this.#pieces) at += piece.copy(line, at);
      chunk.copy(line, at, start, newline);
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
    this.#stopped = true;
    this.#onOverflow();
  }
}
