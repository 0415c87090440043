/** @module Everything the cloud's routes may depend on: the services, each route group taking only the ones it calls. */
import type { Logger } from 'pino';
import type { Observability } from '../runtime/observability.ts';
import type { ActivationService } from './services/activations.ts';
import type { AccountService } from './services/accounts.ts';
import type { AppService } from './services/apps.ts';
import type { BundleService } from './services/bundles.ts';
import type { CallService } from './services/calls.ts';
import type { CatalogService } from './services/catalog.ts';
import type { DeployService } from './services/deploys.ts';
import type { EndpointService } from './services/endpoints.ts';
import type { FileService } from './services/files.ts';
import type { FleetRegistry } from './services/fleet.ts';
import type { FolderAppService } from './services/folder-apps.ts';
import type { FunctionService } from './services/functions.ts';
import type { GrantService } from './services/grants.ts';
import type { PasswordResetService } from './services/password-resets.ts';
import type { ProfileService } from './services/profiles.ts';
import type { RootService } from './services/roots.ts';
import type { ScheduleService } from './services/schedules.ts';
import type { SecretService } from './services/secrets.ts';
import type { SessionService } from './services/sessions.ts';
import type { ApiTokenService } from './services/tokens.ts';
import type { VersionService } from './services/versions.ts';

export interface CloudDeps {
  logger: Logger;
  accounts: AccountService;
  /** Logging in and out, and who a request's token names. */
  sessions: SessionService;
  apiTokens: ApiTokenService;
  passwordResets: PasswordResetService;
  apps: AppService;
  functions: FunctionService;
  endpoints: EndpointService;
  files: FileService;
  /** Uploads and deploys of whole apps. */
  deploys: DeployService;
  /** Synced folders' apps with endpoints, published as their accounts' apps (fleet couriers' roots, over HTTP). */
  folderApps: FolderAppService;
  /** Apps' versions: listed, read, made active, frozen and deleted. */
  versions: VersionService;
  /** Apps' secrets: set and removed, never shown. */
  secrets: SecretService;
  /** Who else may do what with an app. */
  grants: GrantService;
  /** The apps everyone may read. */
  catalog: CatalogService;
  /** Calls to apps' endpoints, at /run. */
  calls: CallService;
  /** Apps' activation records. */
  activations: ActivationService;
  /** Performance profiles of apps and of roots' app folders. */
  profiles: ProfileService;
  /** Apps' schedules, as they go. */
  schedules: ScheduleService;
  bundles: BundleService;
  roots: RootService;
  /** Couriers, heartbeats and leases. */
  fleet: FleetRegistry;
  /** The process's metrics registry and health answer. */
  observability: Observability;
  /** The URL people reach this service at, for endpoint URLs. */
  publicUrl: string;
  /** Sign-up, log-in and reset attempts allowed per minute per address and per client. */
  attemptsPerMinute: number;
}
