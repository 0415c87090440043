/** @module The Executor interface: runs one function body of an app in some sandbox and relays its `ctx.call`s. */
import type { FunctionSpec, LoadedApp } from './app.ts';
import type { CallResult, LogEntry } from './protocol.ts';

/**
 * Where a nested call comes from, as the executor that ran its caller names it: the executor sends the
 * nested call to the same sandbox. The invoker only passes it along.
 */
export interface CallSite {
  readonly sandbox: string;
  readonly invocation: string;
}

/** Answers a `ctx.call` made by the running function. */
export type CallHandler = (fn: string, input: unknown, caller: CallSite) => Promise<CallResult>;

export interface ExecutionRequest {
  app: LoadedApp;
  fn: FunctionSpec;
  input: unknown;
  /**
   * Set for a nested call: it runs beside its caller and skips admission, since the caller already holds
   * a place and making it wait could deadlock.
   */
  caller?: CallSite;
  /** Whose call this is (a user, a synced root): owners get fair shares of the sandboxes under load. */
  owner?: string;
}

export interface ExecutionOutcome {
  result: CallResult;
  logs: LogEntry[];
  /** True when this call had to prepare a sandbox for the app first. */
  coldStart: boolean;
  /** For a cold start: how long preparing the sandbox took, from the call's arrival to the sandbox being ready. */
  coldStartMs?: number;
  /** Size of the serialised result. */
  bytes: number;
  /** For a call that answered: the size of its output's JSON (the result it sent), in bytes. */
  outputBytes?: number;
  /** The memory of the thread that ran it as it answered, as the sandbox reported it (docs/functions.md, "Profiles"). */
  memoryBytes?: number;
}

/** Runs function bodies. The Docker and process executors implement it; the Invoker drives it. */
export interface Executor {
  execute(request: ExecutionRequest, onCall: CallHandler): Promise<ExecutionOutcome>;
  /**
   * True when a top-level call of `owner` made now would be refused BUSY at once (its line is full), so
   * a front end can answer without doing the call's work first.
   */
  refuses(owner: string): boolean;
  /** Prepares a sandbox for the app ahead of its first call. */
  warm(app: LoadedApp): Promise<void>;
  /** Lets go of every sandbox serving any version of the app named `appDir`. */
  release(appDir: string): Promise<void>;
  close(): Promise<void>;
}
