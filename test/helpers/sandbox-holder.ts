/** @module A process that starts a Docker executor with one pre-started sandbox and keeps it until killed: a sandbox owner for the tests. */
import { createExecutor } from '../../docker/executor-factory.ts';

const [cacheDir, runDir] = process.argv.slice(2);
await createExecutor({ cacheDir, runDir, prestart: 1 });
process.stdout.write('ready\n');
// Holds the sandbox (and this process) until the test kills it.
setInterval(() => undefined, 60_000);
