/** @module Temp folders for tests, removed when the test file's process exits, so that runs do not pile up in /tmp. */
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
// ava runs each test file in a process of its own (workerThreads: false), which exits once its tests are done.
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
});

/** A new folder `<tmp>/<prefix>-XXXXXX`, gone when this process exits. */
export async function tempFolder(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  made.push(dir);
  return dir;
}
