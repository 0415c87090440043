/** @module Records as the API shows them: never a password hash, a token's hash, an owner, sealed credentials or a secret's value; functions without their code unless asked, endpoints with their URL. */
import type { AppStart } from '../api/app-starts.ts';
import { defaultOperatorLimits } from '../runtime/app-config.ts';
import type { AppRecord, EndpointRecord, FunctionRecord, SecretRecord, TokenRecord, UserRecord, VersionRecord } from './data.ts';
import { accessOf, everyoneAccess } from './services/app-access.ts';
import { versionFiles } from './version-content.ts';
import type { HeldRoot } from './services/roots.ts';

export function presentUser(user: UserRecord): { id: string; email: string; createdAt: string } {
  return { id: user.id, email: user.email, createdAt: user.createdAt };
}

export function presentToken(record: TokenRecord) {
  return { id: record.id, name: record.name, createdAt: record.createdAt };
}

/** A root with the courier serving it now, named but not described. */
export function presentRoot({ root, courier }: HeldRoot) {
  return { id: root.id, kind: root.kind, path: root.path, createdAt: root.createdAt, courier: courier ? { id: courier.id, name: courier.name } : null };
}

/** A function's settings, with the limits it runs under when it sets none. */
export function presentFunction(fn: FunctionRecord) {
  return {
    name: fn.name,
    language: fn.language,
    idempotent: fn.idempotent,
    timeoutMs: fn.timeoutMs ?? defaultOperatorLimits.defaultTimeoutMs,
    memoryMb: fn.memoryMb ?? defaultOperatorLimits.defaultMemoryMb,
    public: fn.public,
    updatedAt: fn.updatedAt,
  };
}

export function presentFunctionWithCode(fn: FunctionRecord) {
  return { ...presentFunction(fn), code: fn.code };
}

/** A secret by name and dates: its value, sealed or not, is never shown. */
export function presentSecret(secret: SecretRecord) {
  return { name: secret.name, createdAt: secret.createdAt, updatedAt: secret.updatedAt };
}

const endpointUrl = (app: AppRecord, endpoint: EndpointRecord, publicUrl: string) => `${publicUrl}/run/${app.id}${endpoint.path}`;

export function presentEndpoint(app: AppRecord, endpoint: EndpointRecord, publicUrl: string) {
  return { ...endpoint, response: endpoint.response ?? 'json', url: endpointUrl(app, endpoint, publicUrl) };
}

/**
 * The app as `viewerId` sees it, with what the viewer may do with it (`access`), whether it is the viewer's own, and
 * the step of its `start` going on (null when none is): `status` stays what it was until the start is done.
 */
export function presentApp(app: AppRecord, publicUrl: string, viewerId: string, start: AppStart | undefined) {
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    access: accessOf(app, viewerId),
    owned: app.ownerId === viewerId,
    status: app.status,
    start: start ?? null,
    packageJson: app.packageJson,
    env: app.env ?? {},
    functions: app.functions.map(presentFunction),
    endpoints: app.endpoints.map((endpoint) => presentEndpoint(app, endpoint, publicUrl)),
    activeVersion: app.activeVersion ?? null,
    /** "folder": published from a synced folder, which alone changes it; "api": made through the API. */
    source: app.source ?? 'api',
    createdAt: app.createdAt,
    updatedAt: app.updatedAt,
  };
}

/** An app as the catalogue lists it: what everyone may do with it, and nothing of its owner. */
export function presentListing(app: AppRecord, publicUrl: string) {
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    access: everyoneAccess(app),
    status: app.status,
    functions: app.functions.map((fn) => ({ name: fn.name, public: fn.public, updatedAt: fn.updatedAt })),
    endpoints: app.endpoints.map((endpoint) => ({
      method: endpoint.method,
      path: endpoint.path,
      public: endpoint.public,
      url: endpointUrl(app, endpoint, publicUrl),
    })),
    createdAt: app.createdAt,
    updatedAt: app.updatedAt,
  };
}

/** How a version's dependencies installed: "none" without a package.json, "unknown" until the cloud first loads it. */
function dependenciesOf(version: VersionRecord) {
  if (version.content.packageJson === null) return { outcome: 'none' as const };
  return version.dependencies ?? { outcome: 'unknown' as const };
}

/**
 * A version as listed: what it is, who made it and when, without its files. Its author's address is shown to the
 * app's owner and to the author; to any other grantee it is null, as other accounts' addresses are everywhere else.
 */
export function presentVersionSummary(app: AppRecord, version: VersionRecord, viewer: Pick<UserRecord, 'id' | 'email'>) {
  return {
    id: version.id,
    tag: version.tag ?? null,
    message: version.message,
    author: app.ownerId === viewer.id || version.author === viewer.email ? version.author : null,
    createdAt: version.createdAt,
    active: app.activeVersion === version.id,
    frozen: version.frozen,
    size: version.size,
    dependencies: dependenciesOf(version).outcome,
  };
}

/** A version with everything known of it: its files, package.json, runtime, and how its dependencies installed. */
export function presentVersion(app: AppRecord, version: VersionRecord, viewer: Pick<UserRecord, 'id' | 'email'>) {
  return {
    ...presentVersionSummary(app, version, viewer),
    files: versionFiles(version.content),
    packageJson: version.content.packageJson,
    runtime: version.runtime,
    dependencies: dependenciesOf(version),
  };
}
