/** @module What a warm pool needs from a sandbox technology: start a harness, give it an app folder, end it. */
import type { HarnessConnection } from './harness-connection.ts';

/** What the pool asks of a harness: HarnessConnection over a socket, or a test's fake. */
export type SandboxConnection = Pick<HarnessConnection, 'invoke' | 'onClose' | 'onTainted' | 'setEnv'>;

/** A started harness in its own sandbox. */
export interface Sandbox {
  readonly id: string;
  readonly connection: SandboxConnection;
  /** Host folder the app's files are written into; empty until the sandbox is given an app. */
  readonly hostAppDir: string;
  /** The same folder as the harness sees it. */
  readonly appPath: string;
  kill(): Promise<void>;
}

/** Starts sandboxes: containers for the DockerExecutor, child processes for the ProcessExecutor. */
export interface SandboxLauncher {
  launch(): Promise<Sandbox>;
  /** Removes what an earlier run that ended abruptly left behind. */
  cleanup(): Promise<void>;
}
