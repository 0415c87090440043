/**
 * @module Runs ava on test files while busy loops hold every core, as on a loaded edge box: `npm run test:busy` runs the
 * load-sensitive files (LOAD_SENSITIVE), `npm run test:busy -- test/runtime` the ones named. The loops end with the run,
 * however it ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * The files whose behaviour a busy machine can change: time limits and waits, lines and BUSY refusals, containers
 * and processes starting and ending, folder watchers, polling, back-off and leases. Files that check what a function,
 * a policy or a parser answers (module styles, thrown errors' fields, app.json, call keys, journals, profiles over a
 * fake clock) answer the same on a busy machine, and run once, in `npm test`.
 */
const LOAD_SENSITIVE = [
  'test/runtime/admission.test.ts',
  'test/runtime/docker-executor.test.ts',
  'test/runtime/nested-calls.test.ts',
  'test/runtime/process-executor.test.ts',
  'test/runtime/process-first.test.ts',
  'test/runtime/sandbox.test.ts',
  'test/runtime/shared-threads.test.ts',
  'test/runtime/warm-pool-policy.test.ts',
  'test/runtime/warm-pool.test.ts',
  'test/courier/app-cache.test.ts',
  'test/courier/app-folders.test.ts',
  'test/courier/courier.test.ts',
  'test/courier/fleet-profiles.test.ts',
  'test/courier/fleet.test.ts',
  'test/courier/remote-dropbox.test.ts',
  'test/courier/remote-mirror.test.ts',
  'test/courier/remote-onedrive.test.ts',
  'test/courier/request-folders.test.ts',
  'test/courier/restart.test.ts',
  'test/courier/retry-busy.test.ts',
  'test/courier/retry.test.ts',
  'test/courier/root-lock.test.ts',
  'test/courier/schedules.test.ts',
  'test/courier/secrets.test.ts',
  'test/courier/unreadable.test.ts',
  'test/deploy/courier-fleet.test.ts',
  'test/deploy/fleet-scaling.test.ts',
];

const named = process.argv.slice(2);
const files = named.length > 0 ? named : LOAD_SENSITIVE;
// ava would run the rest without a word: a renamed file must not drop out of the busy run unseen.
const missing = files.filter((file) => !existsSync(file));
if (missing.length > 0) {
  process.stderr.write(`test:busy: no such test file or folder: ${missing.join(', ')}\n`);
  process.exit(2);
}

const loops: ChildProcess[] = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
const stopLoops = () => {
  for (const loop of loops) loop.kill('SIGKILL');
};
process.on('exit', stopLoops);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

process.stderr.write(
  `test:busy: ${loops.length} busy loops (pids ${loops.map((loop) => loop.pid).join(', ')}) hold every core while ava runs ${files.join(' ')}\n`,
);
const ava = spawn(process.execPath, ['node_modules/ava/entrypoints/cli.mjs', ...files], { stdio: 'inherit' });
ava.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
