/** The DockerExecutor keeps the executor contract, with functions run in real, warm, sandboxed Docker containers. */
import { executorContract } from '../contracts/executor.contract.ts';
import { startRuntime } from '../helpers/runtime.ts';

executorContract(() => startRuntime());
