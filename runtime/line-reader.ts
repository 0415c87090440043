/** @module Splits a stream of text into lines in time linear in its length, however the chunks fall. */

/** The host reads the harness's line-delimited JSON through this (the harness reads bytes: harness/byte-lines.ts). */
export class LineReader {
  /** The incomplete line so far, in pieces: joining them only once its newline arrives keeps long lines linear. */
  #pieces: string[] = [];
  #pieceBytes = 0;
  #maxLineBytes: number;
  #onLine: (line: string) => void;
  #onOverflow: () => void;
  #stopped = false;

  constructor(maxLineBytes: number, onLine: (line: string) => void, onOverflow: () => void) {
    this.#maxLineBytes = maxLineBytes;
    this.#onLine = onLine;
    this.#onOverflow = onOverflow;
  }

  /** Takes no more lines, also from the rest of a chunk being read. */
  stop(): void {
    this.#stopped = true;
  }

  push(chunk: string): void {
    let start = 0;
    let newline: number;
    while (!this.#stopped && (newline = chunk.indexOf('\n', start)) !== -1) {
      this.#pieces.push(chunk.slice(start, newline));
      const line = this.#pieces.length === 1 ? this.#pieces[0]! : this.#pieces.join('');
      this.#pieces = [];
      this.#pieceBytes = 0;
      start = newline + 1;
      if (line) this.#onLine(line);
    }
    if (this.#stopped || start >= chunk.length) return;
    this.#pieces.push(chunk.slice(start));
    this.#pieceBytes += chunk.length - start;
    if (this.#pieceBytes > this.#maxLineBytes) {
      this.stop();
      this.#onOverflow();
    }
  }
}
