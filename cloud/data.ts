/** @module The cloud's stored records: one lowdb JSON file, written by one process. */
import type { FunctionSettings } from '../runtime/app-config.ts';
import type { FunctionLanguage } from '../runtime/app-paths.ts';

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

/** What a grant allows, lowest first: each level allows everything the ones before it do (cloud/services/app-access.ts). */
export const ACCESS_LEVELS = ['READ', 'RUN', 'WRITE', 'FULL_CONTROL'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

/** The grantee of a grant to everyone, signed in or not. */
export const EVERYONE = '*';

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
  /** Never shown by any route; absent in records made before there were any. */
  secrets?: SecretRecord[];
  /** Who else may do what with the app; only FULL_CONTROL sees them. Absent in records made before there were any. */
  grants?: GrantRecord[];
  status: 'running' | 'stopped';
  functions: FunctionRecord[];
  /** Sorted by path. */
  files: AppFileRecord[];
  endpoints: EndpointRecord[];
  createdAt: string;
  updatedAt: string;
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

export interface CloudData {
  users: UserRecord[];
  tokens: TokenRecord[];
  resets: ResetRecord[];
  apps: AppRecord[];
  roots: RootRecord[];
  couriers: CourierRecord[];
}

export const emptyData = (): CloudData => ({ users: [], tokens: [], resets: [], apps: [], roots: [], couriers: [] });
