/** The ProcessExecutor keeps the executor contract, running the same harness as plain child processes (for edge runs). */
import { executorContract } from '../contracts/executor.contract.ts';
import { startRuntime } from '../helpers/runtime.ts';

executorContract(() => startRuntime({ local: true }));
