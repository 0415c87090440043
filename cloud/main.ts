/** @module Builds the cloud service and everything it depends on, in one place, and starts it listening. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { ExecutorBundle } from '../docker/executor-factory.ts';
import { Observability } from '../runtime/observability.ts';
import { ActivationStore } from './activations/store.ts';
import { ProfileStore } from './profiles/store.ts';
import { createCloudHandler, type CloudHandlerOptions } from './app.ts';
import { AppRuntime, type RecordingSwitch } from './app-runtime.ts';
import { AppSchedules, followedBySchedules } from './app-schedules.ts';
import { BlobStore } from './blob-store.ts';
import { assertNoCloudOn, openControlSocket } from './control-socket.ts';
import { openDb } from './db.ts';
import { createMailer } from './mailer.ts';
import { watchInstalls } from './install-watch.ts';
import { openSecretBox } from './secret-box.ts';
import { accountService } from './services/accounts.ts';
import { activationService } from './services/activations.ts';
import { appService } from './services/apps.ts';
import { bundleService } from './services/bundles.ts';
import { callService } from './services/calls.ts';
import { catalogService } from './services/catalog.ts';
import { deployService } from './services/deploys.ts';
import { endpointService } from './services/endpoints.ts';
import { fileService } from './services/files.ts';
import { folderAppService, type FolderAppService } from './services/folder-apps.ts';
import { folderProfiles as folderProfileService, type FolderProfiles } from './services/folder-profiles.ts';
import { FleetRegistry } from './services/fleet.ts';
import { functionService } from './services/functions.ts';
import { grantService } from './services/grants.ts';
import { passwordResetService } from './services/password-resets.ts';
import { profileService } from './services/profiles.ts';
import { rootService } from './services/roots.ts';
import { scheduleService } from './services/schedules.ts';
import { secretService } from './services/secrets.ts';
import { sessionService } from './services/sessions.ts';
import { apiTokenService } from './services/tokens.ts';
import { versionedApps } from './services/versioned-apps.ts';
import { versionInstalls } from './services/version-installs.ts';
import { versionService } from './services/versions.ts';
import { appStore } from './stores/apps.ts';
import { courierStore } from './stores/couriers.ts';
import { resetStore } from './stores/resets.ts';
import { rootStore } from './stores/roots.ts';
import { scheduleRunStore } from './stores/schedule-runs.ts';
import { tokenStore } from './stores/tokens.ts';
import { userStore } from './stores/users.ts';
import { versionStore } from './stores/versions.ts';
import { operatorService } from './services/operators.ts';

export interface CloudSettings {
  /** Holds cloud.json (the database), blobs/ (function code and app files), apps/ (apps as folders for the runtime) and outbox/ (mail without SMTP). */
  dataDir: string;
  port: number;
  host?: string;
  /** Where people reach the service; defaults to http://localhost:<port>. */
  publicUrl?: string;
  /** smtp:// or smtps:// URL of a mail server; without it mails are written to <dataDir>/outbox as .eml files. */
  smtpUrl?: string;
  mailFrom?: string;
  /** Log-in, sign-up and reset attempts a minute for one address from one client (10 unless set). */
  attemptsPerMinute?: number;
  /** Set when a TLS proxy forwards to the cloud: which proxies to believe (see CloudHandlerOptions). */
  trustProxy?: CloudHandlerOptions['trustProxy'];
  /** The web console's compiled files; dist/console by default. */
  consoleDir?: CloudHandlerOptions['consoleDir'];
  /** A courier's lease on a root; 15 s unless set (tests use short ones). */
  fleetLeaseMs?: number;
  /** The largest the database's JSON may grow; MAX_DATABASE_BYTES unless set (tests fill a small one). */
  maxDatabaseBytes?: number;
  /** The key sealing root credentials, base64 of 32 bytes (EDGECOURIER_SECRET_KEY); without it, <dataDir>/secret.key, made on first start. */
  secretKey?: string;
  /** Activation records: the bytes kept in <dataDir>/activations (64 MiB unless set). */
  activations?: { maxBytes?: number };
  /** Profiles: the bytes kept in <dataDir>/profiles.json in all and per owner (docs/cloud.md). */
  profiles?: { maxBytes?: number; maxBytesPerOwner?: number };
  /** Whether invocations make activation records and count in profiles; always, unless a benchmark turns it off and on to measure what they cost. */
  recording?: RecordingSwitch;
  executor: ExecutorBundle;
  logger: Logger;
  /** Told of each account made, after it is stored (`edgecourier start` publishes the folder's apps once their owner signs up). */
  onSignUp?: (email: string) => void;
}

export interface RunningCloud {
  url: string;
  server: Server;
  /** The Express app behind everything but endpoint calls, for a test to list its routes. */
  app: Express;
  runtime: AppRuntime;
  /** The process's metrics and health, for a courier run beside the cloud to count on too. */
  observability: Observability;
  /** Publishes the apps of a synced folder that belongs to an account (`edgecourier start --owner`). */
  folderApps: FolderAppService;
  /** Counts the folder requests of a synced folder that belongs to an account in its folder apps' profiles (`edgecourier start --owner`). */
  folderProfiles: Pick<FolderProfiles, 'record'>;
  close(): Promise<void>;
}

/**
 * Starts the cloud service; resolves once it listens.
 * @example const cloud = await startCloud({ dataDir: './data', port: 8080, executor, logger })
 */
export async function startCloud(settings: CloudSettings): Promise<RunningCloud> {
  const logger = settings.logger.child({ component: 'cloud' });
  await assertNoCloudOn(settings.dataDir);
  const blobs = new BlobStore(join(settings.dataDir, 'blobs'));
  const db = await openDb(join(settings.dataDir, 'cloud.json'), { blobs, maxBytes: settings.maxDatabaseBytes });
  const observability = new Observability(settings.executor.executor, settings.executor.pool);
  const secrets = await openSecretBox(settings.secretKey, join(settings.dataDir, 'secret.key'));
  const activations = await ActivationStore.open({
    dir: join(settings.dataDir, 'activations'),
    maxBytes: settings.activations?.maxBytes,
    onFailure: (err, path) => logger.error({ err, path }, 'could not write activation records; they are given up'),
  });
  const profiles = await ProfileStore.open({
    file: join(settings.dataDir, 'profiles.json'),
    maxBytes: settings.profiles?.maxBytes,
    maxBytesPerOwner: settings.profiles?.maxBytesPerOwner,
    onWarning: (err, message) => logger.warn({ err }, message),
  });
  const users = userStore(db);
  const versions = versionStore(db);
  const versioned = versionedApps({ apps: appStore(db), versions, authorOf: (id) => users.byId(id)?.email ?? id });
  const adopted = await versioned.adopt();
  if (adopted > 0) logger.info({ apps: adopted }, 'apps stored before versions were given their first version');
  const runtime = new AppRuntime({
    appsDir: join(settings.dataDir, 'apps'),
    blobs,
    executor: observability.executor,
    installer: watchInstalls(settings.executor.installer, versionInstalls({ apps: versioned, versions, blobs }), logger),
    secrets,
    activations,
    profiles,
    ...(settings.recording && { recording: settings.recording }),
    logger,
  });
  const mailer = createMailer({
    smtpUrl: settings.smtpUrl,
    outboxDir: join(settings.dataDir, 'outbox'),
    from: settings.mailFrom ?? 'edgecourier <no-reply@localhost>',
    logger,
  });
  const schedules = new AppSchedules({ apps: versioned, runtime, ledger: scheduleRunStore(db), logger });
  // Every change of an app goes through this store, so the schedules follow each start, stop, delete and app.json.
  const apps = followedBySchedules(versioned, schedules);
  await runtime.restore(apps.all().filter((app) => app.status === 'running'));
  for (const app of apps.all()) schedules.follow(app);
  const operators = operatorService(users, (user, operator) =>
    logger.warn({ userId: user.id, email: user.email }, operator ? 'operator role granted' : 'operator role taken back'),
  );
  const control = await openControlSocket(settings.dataDir, operators, logger);
  // Roles the old --operator flag gave to whoever signed up first survive an upgrade: show them to whoever runs the cloud.
  const operatorEmails = operators.list().map((operator) => operator.email);
  if (operatorEmails.length > 0)
    logger.warn({ operators: operatorEmails }, 'operator accounts (edgecourier cloud operators list); check them after an upgrade from --operator');
  const roots = rootStore(db);
  const fleet = new FleetRegistry({ roots, couriers: courierStore(db), box: secrets, leaseMs: settings.fleetLeaseMs ?? 15_000 });
  let publicUrl = settings.publicUrl ?? '';
  const tokens = tokenStore(db);
  const appsService = appService({ apps, runtime });
  const deploys = deployService({ apps, blobs });
  const folderApps = folderAppService({ users, apps, deploys, lifecycle: appsService, logger });
  const folderProfiles = folderProfileService({ apps, store: profiles });
  const versionRules = versionService({
    apps,
    versions,
    blobs,
    runtime,
    onPutBackFailed: (err, app) => logger.warn({ err, appId: app.id }, 'a rollback did not warm, and the version that was active could not be put back'),
  });
  const { listener, app } = createCloudHandler(
    {
      logger,
      accounts: accountService({ users, onSignUp: settings.onSignUp }),
      sessions: sessionService({ users, tokens }),
      apiTokens: apiTokenService({ tokens }),
      passwordResets: passwordResetService({
        users,
        resets: resetStore(db),
        tokens,
        mailer,
        publicUrl: () => publicUrl,
        logger: logger.child({ component: 'password-resets' }),
      }),
      apps: appsService,
      functions: functionService({ apps, runtime, activations }),
      endpoints: endpointService({ apps }),
      files: fileService({ apps, blobs }),
      deploys,
      folderApps,
      versions: versionRules,
      secrets: secretService({ apps, box: secrets, runtime }),
      grants: grantService({ apps, users }),
      catalog: catalogService({ apps, profiles }),
      calls: callService({ apps, runtime }),
      activations: activationService({ apps, activations }),
      profiles: profileService({ apps, versions: versionRules, roots, fleet, store: profiles, folderProfiles }),
      schedules: scheduleService({ apps, schedules }),
      bundles: bundleService({ apps, runtime }),
      roots: rootService({ roots, fleet, secrets, folderApps }),
      fleet,
      observability,
      get publicUrl() {
        return publicUrl;
      },
      attemptsPerMinute: settings.attemptsPerMinute ?? 10,
    },
    { trustProxy: settings.trustProxy, consoleDir: settings.consoleDir },
  );
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = createServer(listener);
    listening.once('error', reject);
    listening.listen(settings.port, settings.host ?? '0.0.0.0', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  publicUrl ||= `http://localhost:${port}`;
  logger.info({ url: publicUrl, dataDir: settings.dataDir }, 'cloud is listening');
  return {
    url: publicUrl,
    server,
    app,
    runtime,
    observability,
    folderApps,
    folderProfiles,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await mailer.close();
      await control.close();
      await schedules.close();
      await activations.close();
      await profiles.close();
    },
  };
}
