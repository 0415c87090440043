/**
 * @module Reads a request file and says what the courier is to do with it: run it, answer it with an
 * error, try again later (still being written, or not openable for now), pass it over, or forget it.
 */
import { createHash } from 'node:crypto';
import { lstatSync } from 'node:fs';
import type { Logger } from 'pino';
import { canonicalJson } from '../runtime/call-key.ts';
import { EdgeError, type ErrorBody } from '../runtime/errors.ts';
import { readRegularFile } from './fast-fs.ts';
import type { Journal } from './journal.ts';
import { parseRequest, type FolderRequest } from './request-file.ts';

/** What reading a request file found. */
export type Reading =
  | { kind: 'gone' }
  /** Not a request file of ours (a symlink, a folder, a socket): passed over, and the journal keeps what it knew. */
  | { kind: 'skipped' }
  | { kind: 'request'; hash: string; request: FolderRequest }
  | { kind: 'invalid'; hash: string; error: ErrorBody }
  | { kind: 'unsettled'; retryInMs: number };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Open errors that pass by themselves (no file descriptors or memory left): tried again for as long as they last. */
const PASSING_OPEN_ERRORS = new Set(['EMFILE', 'ENFILE', 'ENOMEM', 'EAGAIN', 'EBUSY', 'EINTR']);
/** Tries to open a request before it gets an error result: 1, 2, 4 and 8 settle periods apart. */
const OPEN_TRIES = 5;
const MAX_RETRY_MS = 30_000;

export interface RequestReaderOptions {
  maxRequestBytes: number;
  /** How long text that is not JSON yet may still be being written; also the first wait before trying an unopenable file again. */
  settleMs: number;
  logger: Logger;
  journal: Pick<Journal, 'state'>;
}

export class RequestReader {
  #options: RequestReaderOptions;
  /** Requests that could not be opened, and how many tries in a row failed. */
  #openFailures = new Map<string, number>();

  constructor(options: RequestReaderOptions) {
    this.#options = options;
  }

  /** Reads the request at `file`: `path` is its place relative to the root (the journal's key), `name` how messages call it. */
  read(path: string, file: string, name: string): Reading {
    const found = readRegularFile(file, this.#options.maxRequestBytes);
    if (found.kind === 'unreadable') return this.#unopened(path, file, name, found.code);
    this.#openFailures.delete(path);
    if (found.kind === 'gone') return found;
    if (found.kind === 'not-a-file') {
      this.#options.logger.warn({ file }, 'skipped a request that is not a regular file (a symlink, a folder or a socket)');
      return { kind: 'skipped' };
    }
    if (found.kind === 'too-large') {
      const message = `${name} is ${found.size} bytes; requests are limited to ${this.#options.maxRequestBytes} bytes. Send less input.`;
      return { kind: 'invalid', hash: sha256(`too-large:${found.size}:${found.mtimeMs}`), error: { code: 'REQUEST_TOO_LARGE', message } };
    }
    const { text, mtimeMs } = found;
    const parsed = parseRequest(name, text);
    if (parsed.ok) {
      try {
        return { kind: 'request', hash: sha256(canonicalJson(parsed.request)), request: parsed.request };
      } catch (error) {
        // Absurdly deep input: canonical JSON refuses it, and it still deserves a result saying so.
        if (!(error instanceof EdgeError)) throw error;
        return { kind: 'invalid', hash: sha256(text), error: { code: 'INVALID_REQUEST', message: `${name}: ${error.message}` } };
      }
    }
    const age = Date.now() - mtimeMs;
    // Text that is not JSON may be a file still being written in place: wait for it to stop changing.
    if (parsed.truncated && age < this.#options.settleMs) return { kind: 'unsettled', retryInMs: this.#options.settleMs - age + 10 };
    return { kind: 'invalid', hash: sha256(text), error: { code: 'INVALID_REQUEST', message: parsed.message } };
  }

  /**
   * A request that could not be opened is tried again, backing off, and is not forgotten. One that stays
   * unopenable gets an error result, once: its content is unknown, so it is known by the error, size and
   * time, and a change to any of them (a chmod that lets it be read, a new version) makes it run.
   */
  #unopened(path: string, file: string, name: string, code: string): Reading {
    const info = lstatSync(file, { throwIfNoEntry: false });
    if (!info) {
      this.#openFailures.delete(path);
      return { kind: 'gone' };
    }
    const hash = sha256(`unreadable:${code}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`);
    if (this.#options.journal.state(path, hash) === 'done') return { kind: 'skipped' };
    const failures = (this.#openFailures.get(path) ?? 0) + 1;
    if (PASSING_OPEN_ERRORS.has(code) || failures < OPEN_TRIES) {
      this.#openFailures.set(path, failures);
      if (failures === 1) this.#options.logger.warn({ file, code }, 'could not open a request; trying again, less often each time');
      return { kind: 'unsettled', retryInMs: Math.min(this.#options.settleMs * 2 ** (failures - 1), MAX_RETRY_MS) };
    }
    this.#openFailures.delete(path);
    const message = `${name} could not be opened (${code}) on ${failures} tries. Let the user the courier runs as read it (for example chmod a+r); that change runs it.`;
    return { kind: 'invalid', hash, error: { code: 'REQUEST_UNREADABLE', message } };
  }
}
