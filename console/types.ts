/** @module The shapes of the cloud's answers the console reads, as docs/http-api.md describes them. */
import type { AppStart } from '../api/app-starts.ts';
import type { Access } from '../api/grants.ts';

export interface User {
  id: string;
  email: string;
  createdAt: string;
}

/** The answer of a log-in, and of GET /me. */
export interface SessionAnswer {
  user: User;
  csrfToken: string;
}

export interface FunctionInfo {
  name: string;
  language: 'js' | 'mjs' | 'cjs' | 'ts';
  idempotent: boolean;
  timeoutMs: number;
  memoryMb: number;
  public: boolean;
}

export interface Endpoint {
  id: string;
  method: string;
  path: string;
  function: string;
  public: boolean;
  response: 'json' | 'http';
  /** The full URL the endpoint answers at. */
  url: string;
}

export interface App {
  id: string;
  name: string;
  description: string;
  status: 'running' | 'stopped';
  /** The step of a start going on; null when none is. */
  start: AppStart | null;
  /** What the viewer may do with it: FULL_CONTROL for its owner, else what its grants allow. */
  access: Access;
  owned: boolean;
  /** "folder": published from a synced folder, which alone changes it; "api": made through the API. */
  source: 'api' | 'folder';
  functions: FunctionInfo[];
  endpoints: Endpoint[];
}

export interface AppFile {
  path: string;
  size: number;
  sha256: string;
}

export interface LogLine {
  level: string;
  message: string;
  fn: string;
}

export interface InvocationStats {
  durationMs: number;
  executed: number;
  cacheHits: number;
  precomputedHits: number;
}

/** A test-invoke's answer: the output, or the error with its code; logs and stats either way. */
export interface Invocation {
  output?: unknown;
  cache?: Record<string, unknown>;
  error?: { code: string; message: string; functionCode?: string };
  logs?: LogLine[];
  stats?: InvocationStats;
  activationId?: string;
}

/** A version as GET /apps/:appId/versions lists it (docs/http-api.md, "Versions"). */
export interface Version {
  /** The tree hash of its files. */
  id: string;
  tag?: string;
  message: string;
  /** The address of the account that made it; null to those who may not see other accounts' addresses. */
  author: string | null;
  createdAt: string;
  active: boolean;
  frozen: boolean;
}

/** A function version's profile as GET /apps/:appId/profile lists it (docs/http-api.md, "Profiles"): the figures the console shows. */
export interface Profile {
  function: string;
  version: string;
  calls: number;
  /** Absent when no call was timed (every one answered from a cache). */
  durationMs?: { p50: number; p95: number; p99: number };
  /** Its first call: the console orders a function's versions by it. */
  firstAt: string;
}

/** An API token as GET /tokens lists it: never its value. */
export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
}

/** POST /tokens's answer: the one time the token's value is shown. */
export interface NewApiToken extends ApiToken {
  token: string;
}
