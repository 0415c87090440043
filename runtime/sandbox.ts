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

/**
 * The network a sandbox has: none (the default), or egress, for apps that declare it in app.json: outside
 * addresses, never the host or another sandbox, and private or link-local ranges only where the operator allows
 * them (docs/sandbox.md#network).
 */
export type SandboxNetwork = 'none' | 'egress';

/** What a sandbox is started as: its network, and the launcher's variant (see variantFor) when the app needs one. */
export interface SandboxKind {
  network: SandboxNetwork;
  variant?: string;
}

/** The kind the pool pre-starts before it knows the app. */
export const plainSandbox: SandboxKind = { network: 'none' };

export const sameKind = (a: SandboxKind, b: SandboxKind): boolean => a.network === b.network && a.variant === b.variant;

/** Starts sandboxes: containers for the DockerExecutor, child processes for the ProcessExecutor (which have the host's network whatever is asked). */
export interface SandboxLauncher {
  /** Starts a sandbox of `kind`: a plain one (no network, no variant) is what the pool pre-starts. */
  launch(kind: SandboxKind): Promise<Sandbox>;
  /**
   * The variant of sandbox that runs the dependencies installed in `depsDir`, or undefined when a plain one does
   * (pre-started sandboxes are plain): for containers, an image with the host libraries their native modules load.
   * Throws a catalogue error when no sandbox could run them. Without this method every sandbox runs every app.
   */
  variantFor?(depsDir: string): Promise<string | undefined>;
  /** Removes what an earlier run that ended abruptly left behind. */
  cleanup(): Promise<void>;
}
