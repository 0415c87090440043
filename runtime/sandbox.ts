/** @module What a warm pool needs from a sandbox technology: start a harness, give it an app folder, end it. */
import type { HarnessConnection } from './harness-connection.ts';

/** What the pool asks of a harness: HarnessConnection over a socket, or a test's fake. */
export type SandboxConnection = Pick<HarnessConnection, 'invoke' | 'onClose' | 'onTainted'>;

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

/**
 * The network a sandbox has: none (the default), or egress, for apps that declare it in app.json: outside
 * addresses, never the host or another sandbox, and private or link-local ranges only where the operator allows
 * them (docs/sandbox.md#network).
 */
export type SandboxNetwork = 'none' | 'egress';

/** Starts sandboxes: containers for the DockerExecutor, child processes for the ProcessExecutor (which have the host's network whatever is asked). */
export interface SandboxLauncher {
  launch(network: SandboxNetwork): Promise<Sandbox>;
  /** Removes what an earlier run that ended abruptly left behind. */
  cleanup(): Promise<void>;
}
