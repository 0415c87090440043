/**
 * @module Run by ava before each test file (package.json, "ava.require"): each test file gets a run folder of its own, so
 * a service one test file starts (its sandboxes' sockets, the run socket `edgecourier run` goes through) never
 * answers another file's commands while both run at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function privateRunDir(): void {
  // Short, under the temp folder: a Unix socket's path holds at most 107 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'ec-run-'));
  process.env.EDGECOURIER_RUN_DIR = dir;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}
