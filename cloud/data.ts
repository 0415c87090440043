/** @module The cloud's stored records: one lowdb JSON file, written by one process. */
import type { FunctionSettings } from '../runtime/app-config.ts';
import type { FunctionLanguage } from '../runtime/app-paths.ts';
import type { Schedules } from '../runtime/schedule.ts';
import type { ScheduleRecord } from '../runtime/scheduler.ts';

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: string;
  /** Set by `edgecourier cloud operators add` on the cloud's host; absent for everyone else. */
  role?: 'operator';
}

/** A session (from logging in) or an API token (made by its user); only the token's hash is kept. */
export interface TokenRecord {
  id: string;
  userId: string;
  kind: 'session' | 'api';
  name: string;
  tokenHash: string;
  createdAt: string;
  expiresAt: string | null;
}

export interface ResetRecord {
  tokenHash: string;
  userId: string;
  expiresAt: string;
  used: boolean;
}

/** Its settings are app.json's, with `idempotent` and `public` always set; it is the file `functions/<name>.<language>`. */
export interface FunctionRecord extends Pick<FunctionSettings, 'idempotent' | 'public'>, Partial<Pick<FunctionSettings, 'timeoutMs' | 'memoryMb'>> {
  name: string;
  code: string;
  language: FunctionLanguage;
  updatedAt: string;
}

/**
 * A file of an app that is not a function, app.json or package.json (templates, data, helper modules, assets): its
 * bytes are the blob named by their SHA-256 (cloud/blob-store.ts), never in this file.
 */
export interface AppFileRecord {
  /** Relative to the app folder, `/`-separated (runtime/app-paths.ts says which paths are allowed). */
  path: string;
  sha256: string;
  size: number;
}

export interface EndpointRecord {
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  function: string;
  public: boolean;
  /** "http": the function's output is the HTTP response (cloud/http-response.ts); "json" (also when unset, as in older records): the usual JSON answer. */
  response?: 'json' | 'http';
}

/** A secret of an app: its value sealed by the secret box, bound to the app and the name (cloud/app-secrets.ts). */
export interface SecretRecord {
  name: string;
  sealed: string;
  /** UTF-8 bytes of the value, for the app's cap; the sealed text shows as much anyway. */
  bytes: number;
  createdAt: string;
  updatedAt: string;
}

// The levels and the grantee that means everyone are the wire's (api/grants.ts); the records use them as they are.
import type { Access } from '../api/grants.ts';
export { ACCESS_LEVELS, EVERYONE, type Access } from '../api/grants.ts';

/** A right to an app given by someone with FULL_CONTROL of it: to one account, or to everyone (READ or RUN only). */
export interface GrantRecord {
  /** The account's id, or EVERYONE. */
  grantee: string;
  access: Access;
  createdAt: string;
  updatedAt: string;
}

export interface AppRecord {
  id: string;
  ownerId: string;
  name: string;
  description: string;
  packageJson: string | null;
  /** app.json's "env": plain settings for the functions' process.env; absent in records made before there were any. */
  env?: Record<string, string>;
  /** app.json's "network": set only when the app declares egress (docs/sandbox.md#network). */
  network?: { egress: true };
  /** app.json's "schedules", run while the app is running (cloud/app-schedules.ts); absent when it declares none. */
  schedules?: Schedules;
  /** Never shown by any route; absent in records made before there were any. */
  secrets?: SecretRecord[];
  /** Who else may do what with the app; only FULL_CONTROL sees them. Absent in records made before there were any. */
  grants?: GrantRecord[];
  status: 'running' | 'stopped';
  functions: FunctionRecord[];
  /** Sorted by path. */
  files: AppFileRecord[];
  endpoints: EndpointRecord[];
  /** The version whose content the record holds, which endpoints and test-invokes serve; absent in records made before there were versions. */
  activeVersion?: string;
  /**
   * "folder": an app of a synced folder, published by the courier beside the cloud (docs/cloud.md, "Folder apps"): only
   * the folder changes its content. Absent for apps made through the API.
   */
  source?: 'folder';
  /**
   * The fleet root that published this folder app last (cloud/routes/fleet-apps.ts): deleting that root stops it.
   * Absent for apps of the API and for those the `edgecourier start` folder published last.
   */
  rootId?: string;
  /**
   * A folder app's app.json as the folder holds it, byte for byte: the cloud's folder of the app then holds the very
   * files of the synced one, so their functions have the same versions and call keys. Absent for apps of the API, whose
   * app.json is made from their settings.
   */
  appJson?: string;
  createdAt: string;
  updatedAt: string;
}

/** A function of a version: its settings, and its code as the blob named by the SHA-256 of its text. */
export interface VersionFunction extends Omit<FunctionRecord, 'code' | 'updatedAt'> {
  codeSha256: string;
  codeBytes: number;
}

/** What a version ships: the parts of an app record its folder is made of (cloud/app-tree.ts), code named by hash. */
export interface VersionContent extends Pick<AppRecord, 'description' | 'packageJson' | 'env' | 'network' | 'schedules' | 'files' | 'endpoints' | 'appJson'> {
  functions: VersionFunction[];
}

/** How a version's dependencies installed, the first time the cloud loaded it (and again when that changed). */
export interface DependencyOutcome {
  outcome: 'installed' | 'failed';
  at: string;
  /** npm's error output on a failure, capped; empty when it installed (npm runs at --loglevel=error). */
  log: string;
  /** The package-lock.json npm wrote for the install, as a blob; absent when nothing was installed. */
  lockFile?: { sha256: string; size: number };
}

/**
 * An immutable version of an app: everything it ships, named by the tree hash of its files, so the same content is
 * the same version (services/versions.ts). Its content is kept in a blob of its own (code-split-file.ts).
 */
export interface VersionRecord {
  /** The tree hash of its files (runtime/app-files.ts treeHash), hex. */
  id: string;
  appId: string;
  /** An optional name, unique among the app's versions, e.g. "1.2.0". */
  tag?: string;
  /** What changed, in its author's words or the cloud's summary. */
  message: string;
  /** The email address of the account that made it. */
  author: string;
  createdAt: string;
  /** A frozen version is never deleted, by retention or by hand. */
  frozen: boolean;
  /** Bytes of all its files together. */
  size: number;
  /** Where it was made: the cloud's Node.js, which its sandboxes run, and architecture. */
  runtime: { node: string; arch: string; platform: string };
  /** Unknown until the cloud first loads it with a package.json; never set without one. */
  dependencies?: DependencyOutcome;
  content: VersionContent;
}

/** A synced folder a courier serves, held by at most one courier at a time under a lease (docs/fleet-api.md). */
export interface RootRecord {
  id: string;
  ownerId: string;
  kind: 'local' | 'dropbox' | 'onedrive';
  path: string;
  /** The DROPBOX_* or ONEDRIVE_* values as JSON, sealed by the secret box; null for local roots. */
  credentials: string | null;
  createdAt: string;
  courierId: string | null;
  /** Renewals change this in memory only; the file's value may be older (see cloud/leases.ts). */
  leaseExpiresAt: string | null;
}

export interface CourierRecord {
  id: string;
  name: string;
  registeredAt: string;
  /** Kept in memory between writes, like lease renewals. */
  lastHeartbeatAt: string;
}

/** The last slot of one schedule of an app, so that a restart of the cloud runs a missed slot at most once. */
export interface ScheduleRunRecord {
  appId: string;
  name: string;
  record: ScheduleRecord;
}

export interface CloudData {
  users: UserRecord[];
  tokens: TokenRecord[];
  resets: ResetRecord[];
  apps: AppRecord[];
  roots: RootRecord[];
  couriers: CourierRecord[];
  /** Every app's versions, oldest first. */
  versions: VersionRecord[];
  /** Absent in files written before there were schedules. */
  scheduleRuns: ScheduleRunRecord[];
}

export const emptyData = (): CloudData => ({ users: [], tokens: [], resets: [], apps: [], roots: [], couriers: [], versions: [], scheduleRuns: [] });
