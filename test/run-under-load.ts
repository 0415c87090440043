/**
 * @module Runs ava on the given test files while busy loops hold every core, as on a loaded edge box:
 * `npm run test:busy -- test/runtime test/courier`. The loops end with the run, however it ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

const files = process.argv.slice(2);
const loops: ChildProcess[] = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
const stopLoops = () => {
  for (const loop of loops) loop.kill('SIGKILL');
};
process.on('exit', stopLoops);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

process.stderr.write(
  `test:busy: ${loops.length} busy loops (pids ${loops.map((loop) => loop.pid).join(', ')}) hold every core while ava runs ${files.join(' ') || 'every test'}\n`,
);
const ava = spawn(process.execPath, ['node_modules/ava/entrypoints/cli.mjs', ...files], { stdio: 'inherit' });
ava.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
