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

/** Starts sandboxes: containers for the DockerExecutor, child processes for the ProcessExecutor. */
export interface SandboxLauncher {
  /** Starts a sandbox: a plain one, or of the `variant` that variantFor named. */
  launch(variant?: string): Promise<Sandbox>;
  /**
   * The variant of sandbox that runs the dependencies installed in `depsDir`, or undefined when a plain one does
   * (pre-started sandboxes are plain): for containers, an image with the host libraries their native modules load.
   * Throws a catalogue error when no sandbox could run them. Without this method every sandbox runs every app.
   */
  variantFor?(depsDir: string): Promise<string | undefined>;
  /** Removes what an earlier run that ended abruptly left behind. */
  cleanup(): Promise<void>;
}
