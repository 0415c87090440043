/** @module The cloud's stored records: one lowdb JSON file, written by one process. */

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: string;
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

export interface FunctionRecord {
  name: string;
  code: string;
  language: 'js' | 'ts';
  idempotent: boolean;
  timeoutMs?: number;
  memoryMb?: number;
  public: boolean;
  updatedAt: string;
}

export interface EndpointRecord {
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  function: string;
  public: boolean;
}

export interface AppRecord {
  id: string;
  ownerId: string;
  name: string;
  description: string;
  packageJson: string | null;
  status: 'running' | 'stopped';
  functions: FunctionRecord[];
  endpoints: EndpointRecord[];
  createdAt: string;
  updatedAt: string;
}

export interface CloudData {
  users: UserRecord[];
  tokens: TokenRecord[];
  resets: ResetRecord[];
  apps: AppRecord[];
}

export const emptyData = (): CloudData => ({ users: [], tokens: [], resets: [], apps: [] });
