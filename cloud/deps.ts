/** @module Everything the cloud's routes may depend on; each route group takes only the part it uses. */
import type { Logger } from 'pino';
import type { Observability } from '../runtime/observability.ts';
import type { AppRuntime } from './app-runtime.ts';
import type { FleetRegistry } from './fleet-registry.ts';
import type { Mailer } from './mailer.ts';
import type { SecretBox } from './secret-box.ts';
import type { AppStore } from './stores/apps.ts';
import type { ResetStore } from './stores/resets.ts';
import type { RootStore } from './stores/roots.ts';
import type { TokenStore } from './stores/tokens.ts';
import type { UserStore } from './stores/users.ts';

export interface CloudDeps {
  logger: Logger;
  users: UserStore;
  tokens: TokenStore;
  resets: ResetStore;
  apps: AppStore;
  roots: RootStore;
  /** Couriers, heartbeats and leases over `roots`. */
  fleet: FleetRegistry;
  /** Seals root credentials before they are stored. */
  secrets: SecretBox;
  mailer: Mailer;
  runtime: AppRuntime;
  /** The process's metrics registry and health answer. */
  observability: Observability;
  /** The URL people reach this service at, for links in mails and endpoint URLs. */
  publicUrl: string;
  /** Sign-up, log-in and reset attempts allowed per minute per address and per client. */
  attemptsPerMinute: number;
}
