/**
 * @module Reads a request file and says what the courier is to do with it: run it, answer it with an
 * error, try again later (still being written, or not openable for now), pass it over, or forget it.
 */
import { createHash } from 'node:crypto';
import { lstatSync, type Stats } from 'node:fs';
import type { Logger } from 'pino';
import { canonicalJson } from '../runtime/call-key.ts';
import { EdgeError, type ErrorBody } from '../base/errors.ts';
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
  journal: Pick<Journal, 'finished'>;
}

/** A request file and the result file that answers it, both absolute. */
export interface RequestFiles {
  request: string;
  result: string;
}

export class RequestReader {
  #options: RequestReaderOptions;
  /** Requests that could not be opened: how many tries in a row failed, and when the next one is due. */
  #openFailures = new Map<string, { failures: number; nextTryAt: number }>();

  constructor(options: RequestReaderOptions) {
    this.#options = options;
  }

  /** Reads the request at `files.request`: `path` is its place relative to the root (the journal's key), `name` how messages call it. */
  read(path: string, files: RequestFiles, name: string): Reading {
    const file = files.request;
    const found = readRegularFile(file, this.#options.maxRequestBytes);
    if (found.kind === 'unreadable') return this.#unopened(path, files, name, found.code);
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
   * A request that could not be opened is tried again, backing off (events that come before the next try
   * do not count as tries), and is not forgotten. One that stays unopenable gets an error result, once,
   * unless its result answers it already and it was not written since: a request that ran and then lost
   * its permissions keeps its result. Its content unknown, it is journaled under the error, size and times,
   * so a change to any of them (a chmod that lets it be read, a new version) makes it run.
   */
  #unopened(path: string, files: RequestFiles, name: string, code: string): Reading {
    let info: Stats | undefined;
    try {
      info = lstatSync(files.request, { throwIfNoEntry: false });
      if (!info) {
        this.#openFailures.delete(path);
        return { kind: 'gone' };
      }
    } catch {
      // Its folder cannot be searched either: tried again as the file is.
    }
    if (info && this.#answered(path, files.result, info.mtimeMs)) {
      this.#openFailures.delete(path);
      return { kind: 'skipped' };
    }
    const now = Date.now();
    const earlier = this.#openFailures.get(path);
    if (earlier && now < earlier.nextTryAt) return { kind: 'unsettled', retryInMs: earlier.nextTryAt - now };
    const failures = (earlier?.failures ?? 0) + 1;
    if (PASSING_OPEN_ERRORS.has(code) || failures < OPEN_TRIES) {
      const wait = Math.min(this.#options.settleMs * 2 ** (failures - 1), MAX_RETRY_MS);
      this.#openFailures.set(path, { failures, nextTryAt: now + wait });
      if (failures === 1) this.#options.logger.warn({ file: files.request, code }, 'could not open a request; trying again, less often each time');
      return { kind: 'unsettled', retryInMs: wait };
    }
    this.#openFailures.delete(path);
    const hash = sha256(`unreadable:${code}:${info?.size}:${info?.mtimeMs}:${info?.ctimeMs}`);
    const message = `${name} could not be opened (${code}) on ${failures} tries. Let the user the courier runs as read it (for example chmod a+r); that change runs it.`;
    return { kind: 'invalid', hash, error: { code: 'REQUEST_UNREADABLE', message } };
  }

  /** Whether the journal finished this request and its result was written after the request last changed. */
  #answered(path: string, resultFile: string, requestMtimeMs: number): boolean {
    if (!this.#options.journal.finished(path)) return false;
    try {
      const result = lstatSync(resultFile, { throwIfNoEntry: false });
      return result !== undefined && result.mtimeMs >= requestMtimeMs;
    } catch {
      return false;
    }
  }
}
