/**
 * @module Fleet mode: a courier that registers with the cloud, asks at every heartbeat which roots to serve,
 * and serves each with its own courier, all on one executor (docs/fleet-api.md).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ExecutorBundle } from '../docker/executor-factory.ts';
import { EdgeError } from '../base/errors.ts';
import type { Observability } from '../runtime/observability.ts';
import { createBackend } from '../sync/create-backend.ts';
import { fleetClient, type Assignment, type FleetTransport } from './fleet-client.ts';
import { fleetPublisher } from './fleet-publisher.ts';
import { FleetRoots } from './fleet-roots.ts';
import { startCourier, type CourierSettings, type RunningCourier } from './main.ts';
import { DEFAULT_PROFILE_REPORT_MS, ProfileReporter } from './profile-reporter.ts';

export interface FleetCourierSettings {
  /** Calls the cloud with an operator's API token, e.g. the CLI's `cloudClient(url, token)`. */
  cloud: FleetTransport;
  /** How this courier shows in `GET /api/v1/fleet/couriers`. */
  name: string;
  /**
   * Each root's journal (and a remote root's working folder) lives in `<stateDir>/roots/<rootId>`. Couriers of
   * one fleet share this folder, so a root that moves takes its journal along and no answered request runs again.
   */
  stateDir: string;
  executor: ExecutorBundle;
  observability?: Observability;
  /** Settings every root's courier gets. */
  tuning?: Pick<CourierSettings, 'concurrency' | 'maxRequestBytes' | 'settleMs' | 'pendingAfterMs' | 'retry'>;
  /** How often what the roots' folder apps ran is reported to the cloud; DEFAULT_PROFILE_REPORT_MS unless given. */
  profileReportMs?: number;
  logger: Logger;
}

export interface FleetCourier {
  /** The id the cloud gave this courier. */
  id: string;
  /** The roots being served now. */
  serving(): string[];
  /** Stops every root (requests in flight finish, leases still renewed meanwhile), then deregisters so they are free at once. */
  stop(): Promise<void>;
}

/** What every root of the courier shares: its reports, and the id the cloud knows it by now. */
interface RootShared {
  reporter: ProfileReporter;
  courierId: () => string;
}

async function startRoot(settings: FleetCourierSettings, assignment: Assignment, shared: RootShared, logger: Logger): Promise<RunningCourier> {
  const { rootId, kind, path, credentials } = assignment;
  const place: Pick<CourierSettings, 'root' | 'remote'> =
    kind === 'local' ? { root: path } : { remote: { backend: await createBackend(kind, path, (line) => logger.info(line), credentials), name: rootId } };
  // The roots' apps are their owners', the host is the operator's: no install may fetch a URL or a repository here.
  const running = await startCourier({
    ...settings.tuning,
    ...place,
    stateDir: join(settings.stateDir, 'roots', rootId),
    executor: settings.executor,
    observability: settings.observability,
    movable: true,
    hostedFor: 'others',
    reportsProfiles: true,
    // A root is linked to its owner's account: its apps with endpoints are that account's apps too.
    publisher: fleetPublisher({ transport: settings.cloud, courierId: shared.courierId, rootId }),
    logger,
  });
  shared.reporter.add(rootId, running.profiles);
  return {
    ...running,
    async stop() {
      await running.stop();
      shared.reporter.release(rootId, running.profiles);
    },
  };
}

/**
 * Registers with the cloud and serves the roots it assigns until stopped.
 * @example const fleet = await startFleetCourier({ cloud: cloudClient(url, token), name: 'c1', stateDir, executor, logger })
 */
export async function startFleetCourier(settings: FleetCourierSettings): Promise<FleetCourier> {
  const logger = settings.logger.child({ component: 'fleet' });
  const fleet = fleetClient(settings.cloud);
  const register = async () => {
    const registration = await fleet.register(settings.name);
    logger.info(
      { courierId: registration.id, name: settings.name, leaseMs: registration.leaseMs, heartbeatMs: registration.heartbeatMs },
      'registered with the cloud',
    );
    return registration;
  };
  const { leaseMs, heartbeatMs, ...first } = await register();
  let id = first.id;
  const reporter = new ProfileReporter({
    transport: settings.cloud,
    courierId: () => id,
    everyMs: settings.profileReportMs ?? DEFAULT_PROFILE_REPORT_MS,
    logger,
  });
  const roots = new FleetRoots({
    leaseMs,
    logger,
    start: (assignment) => startRoot(settings, assignment, { reporter, courierId: () => id }, settings.logger.child({ rootId: assignment.rootId })),
  });
  let stopping = false;
  const beat = async () => {
    const sentAt = Date.now();
    try {
      const assignments = await fleet.heartbeat(id, roots.held());
      // While stopping, heartbeats only keep the leases of roots still finishing their requests.
      if (!stopping) roots.apply(assignments, sentAt);
    } catch (error) {
      logger.warn({ error: (error as Error).message }, 'heartbeat failed; each root is let go before its lease can end');
      // The cloud forgot a courier silent past its leases; those roots are let go by now, so start afresh.
      if (error instanceof EdgeError && error.code === 'NOT_FOUND' && !stopping) ({ id } = await register().catch(() => ({ id })));
    }
  };
  let beating = beat();
  await beating;
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer = setTimeout(() => {
      beating = beat().finally(() => timer && schedule());
    }, heartbeatMs);
  };
  schedule();
  reporter.start();
  return {
    get id() {
      return id;
    },
    serving: () => roots.serving(),
    async stop() {
      stopping = true;
      await roots.stopAll();
      // After the roots stopped, so the calls of their last requests are in the last report.
      await reporter.stop();
      clearTimeout(timer);
      timer = undefined;
      await beating;
      await fleet
        .deregister(id)
        .catch((error: unknown) => logger.warn({ error: (error as Error).message }, 'could not deregister; the roots are free once their leases end'));
      logger.info({ courierId: id }, 'left the fleet');
    },
  };
}
