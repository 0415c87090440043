/** @module `edgecourier courier`: watches a synced folder, or the roots a cloud assigns it in fleet mode, and answers request files until stopped. */
import { type Command, Option } from 'commander';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { CourierSettings } from '../../courier/main.ts';
import { defaultRetryPolicy } from '../../courier/retry-chains.ts';
import { EdgeError } from '../../base/errors.ts';
import type { BackendKind } from '../../sync/create-backend.ts';
import type { ExecutorBundle } from '../../docker/executor-factory.ts';
import { defaultStateDir } from '../../base/paths.ts';
import { readPrivateFile } from '../../base/private-file.ts';
import { cloudClient } from '../cloud-client.ts';
import { egressAllowOption } from '../egress-allow.ts';
import { stopOnSignal } from '../lifecycle.ts';
import { nonNegativeInt, positiveInt } from '../numbers.ts';
import { fail } from '../output.ts';

interface CourierOptions {
  root?: string;
  dropbox?: string;
  onedrive?: string;
  cloud?: string;
  token?: string;
  tokenFile?: string;
  name: string;
  credentials?: string;
  state?: string;
  secretsDir?: string;
  concurrency: number;
  maxRequestBytes: number;
  settleMs: number;
  retryForMs: number;
  metricsPort?: number;
  metricsHost: string;
  local?: boolean;
  egressAllow?: string[];
}

/** The folder the courier serves: a local one, or a remote one mirrored through a back end. */
async function where(options: CourierOptions, log: (line: string) => void): Promise<Pick<CourierSettings, 'root' | 'remote'>> {
  if (options.root) return { root: options.root };
  const { createBackend, readCredentialsFile } = await import('../../sync/create-backend.ts');
  const kind: BackendKind = options.dropbox ? 'dropbox' : 'onedrive';
  const path = (options.dropbox ?? options.onedrive)!;
  const credentials = options.credentials ? await readCredentialsFile(options.credentials) : {};
  return { remote: { backend: await createBackend(kind, path, log, credentials), name: `${kind}:${path}` } };
}

/** The operator token from --token, --token-file (such as a Docker secret) or EDGECOURIER_TOKEN. */
async function fleetToken(options: CourierOptions): Promise<string> {
  if (options.token !== undefined && options.tokenFile !== undefined) throw new EdgeError('INVALID_INPUT', 'give --token or --token-file, not both');
  if (options.tokenFile === undefined) {
    const token = options.token ?? process.env.EDGECOURIER_TOKEN;
    if (!token) throw new EdgeError('INVALID_INPUT', 'fleet mode needs an operator API token: --token <token>, --token-file <path> or EDGECOURIER_TOKEN');
    return token;
  }
  // Editors and `echo` end the file with a newline, which is no part of the token.
  const token = (await readPrivateFile(options.tokenFile, "an operator's API token")).trim();
  if (!token) throw new EdgeError('INVALID_INPUT', `${options.tokenFile} is empty; it should hold an operator's API token`);
  return token;
}

/** Runs as one courier of a fleet: the cloud says which roots to serve. */
async function startFleet(options: CourierOptions, token: string, executor: ExecutorBundle, logger: Logger): Promise<() => Promise<void>> {
  const [{ startFleetCourier }, { startHealthServer }, { Observability }] = await Promise.all([
    import('../../courier/fleet.ts'),
    import('../../courier/health-server.ts'),
    import('../../runtime/observability.ts'),
  ]);
  // One metrics port for the whole process, counting every root it serves.
  const observability = options.metricsPort === undefined ? undefined : new Observability(executor.executor, executor.pool);
  const health = observability && (await startHealthServer(observability, { port: options.metricsPort!, host: options.metricsHost, logger }));
  const fleet = await startFleetCourier({
    cloud: cloudClient(options.cloud!, token),
    name: options.name,
    stateDir: options.state ?? defaultStateDir(),
    executor,
    observability,
    tuning: {
      concurrency: options.concurrency,
      maxRequestBytes: options.maxRequestBytes,
      settleMs: options.settleMs,
      retry: { retryForMs: options.retryForMs },
    },
    logger,
  });
  return async () => {
    await fleet.stop();
    await health?.close();
  };
}

/** --retry-for-ms, for every command that runs a courier. */
export const retryForOption = () =>
  new Option(
    '--retry-for-ms <ms>',
    "how long a request that fails for the platform's sake (BUSY, SANDBOX_FAILED, ...) is tried again before that error is its result; 0: never",
  )
    .argParser(nonNegativeInt)
    .default(defaultRetryPolicy.retryForMs);

export function registerCourier(program: Command): void {
  program
    .command('courier')
    .description('Watch a synced folder: every folder in it is an app; each <app>/requests/<id>.json gets <app>/results/<id>.json.')
    .option('-r, --root <dir>', 'a local folder, e.g. one the Dropbox or OneDrive desktop client keeps in sync')
    .option('--dropbox <path>', 'a Dropbox folder (e.g. /edge), synced through the Dropbox API; credentials from DROPBOX_* variables')
    .option('--onedrive <path>', 'a OneDrive folder (e.g. /edge), synced through Microsoft Graph; credentials from ONEDRIVE_* variables')
    .option('--cloud <url>', 'join the fleet of the cloud at this URL and serve the roots it assigns (docs/fleet-api.md)')
    .option('--token <token>', "with --cloud: an operator's API token (default: $EDGECOURIER_TOKEN)")
    .option('--token-file <path>', 'with --cloud: read the token from this file (mode 600, e.g. a Docker secret), not the command line or environment')
    .option('--name <name>', 'with --cloud: how this courier shows in the fleet', hostname())
    .option('--credentials <file>', 'a JSON file of DROPBOX_* / ONEDRIVE_* values (mode 600), instead of environment variables')
    .option('--state <dir>', 'where the journal and profiles live; must be outside the root (default: $EDGECOURIER_STATE or ~/.local/state/edgecourier)')
    .option('--secrets-dir <dir>', "apps' secrets, one <app>.json file each (mode 600), outside the root (default: <state>/secrets)")
    .option('-c, --concurrency <n>', 'requests run at once', positiveInt, 16)
    .option('--max-request-bytes <n>', 'larger request files get a REQUEST_TOO_LARGE result', positiveInt, 1024 * 1024)
    .option('--settle-ms <ms>', 'how long a request that is not yet valid JSON, or an app that just changed, may still be syncing', positiveInt, 1000)
    .addOption(retryForOption())
    .option('--metrics-port <port>', 'serve GET /metrics (Prometheus) and GET /healthz on this port, e.g. 9464 (default: none)', positiveInt)
    .option('--metrics-host <address>', 'address for --metrics-port; 0.0.0.0 lets other machines scrape it', '127.0.0.1')
    .addOption(egressAllowOption())
    .addOption(new Option('--local', 'run functions as plain processes instead of Docker containers: NO SANDBOX'))
    .addHelpText(
      'after',
      [
        '',
        'Give exactly one of --root, --dropbox, --onedrive and --cloud. For the API back ends the courier mirrors the',
        'remote folder into a working folder under --state and uploads results back (docs/courier.md).',
        'With --cloud the courier registers with the cloud and serves the roots it is assigned, each under',
        '--state/roots/<id>; couriers of one fleet share --state, so a root that moves keeps its journal.',
        'Logs are JSON lines on stdout, one per request. SIGINT or SIGTERM lets requests in flight finish, then exits.',
      ].join('\n'),
    )
    .action(async (options: CourierOptions) => {
      const [{ pino }, { startCourier }, { createExecutor }, { serveRuns }] = await Promise.all([
        import('pino'),
        import('../../courier/main.ts'),
        import('../../docker/executor-factory.ts'),
        import('../run-socket/server.ts'),
      ]);
      // Asynchronous writes: one log line per request is on the courier's hot path; pino flushes what is left on exit.
      const logger = pino({ base: { pid: process.pid } }, pino.destination({ sync: false }));
      try {
        const given = [options.root, options.dropbox, options.onedrive, options.cloud].filter((value) => value !== undefined);
        if (given.length !== 1) throw new EdgeError('INVALID_INPUT', 'give exactly one of --root <dir>, --dropbox <path>, --onedrive <path> and --cloud <url>');
        const startExecutor = () => createExecutor({ local: options.local ?? false, egressAllow: options.egressAllow, log: (line) => logger.info(line) });
        if (options.cloud) {
          if (options.secretsDir !== undefined)
            throw new EdgeError(
              'INVALID_INPUT',
              "--secrets-dir is for a folder of your own; a fleet courier serves other people's roots and reads no secrets files",
            );
          // Read before anything starts, so that a bad token file fails at once.
          const token = await fleetToken(options);
          const executor = await startExecutor();
          stopOnSignal(logger, [await startFleet(options, token, executor, logger), () => executor.executor.close()]);
          return;
        }
        const place = await where(options, (line) => logger.info(line));
        const executor = await startExecutor();
        const running = await startCourier({
          ...place,
          stateDir: options.state,
          secretsDir: options.secretsDir,
          concurrency: options.concurrency,
          maxRequestBytes: options.maxRequestBytes,
          settleMs: options.settleMs,
          retry: { retryForMs: options.retryForMs },
          metricsPort: options.metricsPort,
          metricsHost: options.metricsHost,
          executor,
          logger,
        });
        const runs = await serveRuns({ ...executor, logger });
        stopOnSignal(logger, [() => runs.close(), () => running.stop(), () => executor.executor.close()]);
      } catch (error) {
        fail(error);
      }
    });
}
