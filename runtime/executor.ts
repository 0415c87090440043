/** @module The Executor interface: runs one function body of an app in some sandbox and relays its `ctx.call`s. */
import type { FunctionSpec, LoadedApp } from './app.ts';
import type { CallResult, LogEntry } from './protocol.ts';

/** Answers a `ctx.call` made by the running function. */
export type CallHandler = (fn: string, input: unknown) => Promise<CallResult>;

export interface ExecutionRequest {
  app: LoadedApp;
  fn: FunctionSpec;
  input: unknown;
  /** Nested calls skip the admission queue: their caller already holds a place, and queueing them could deadlock. */
  nested: boolean;
}

export interface ExecutionOutcome {
  result: CallResult;
  logs: LogEntry[];
  /** True when this call had to prepare a sandbox for the app first. */
  coldStart: boolean;
  /** Size of the serialised result. */
  bytes: number;
}

/** Runs function bodies. The Docker and process executors implement it; the Invoker drives it. */
export interface Executor {
  execute(request: ExecutionRequest, onCall: CallHandler): Promise<ExecutionOutcome>;
  /** Prepares a sandbox for the app ahead of its first call. */
  warm(app: LoadedApp): Promise<void>;
  /** Lets go of every sandbox serving any version of the app named `appDir`. */
  release(appDir: string): Promise<void>;
  close(): Promise<void>;
}
