/** @module `edgecourier cloud`: runs the HTTP service (accounts, apps, endpoints) until stopped. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { CloudSettings } from '../../cloud/main.ts';
import { stopOnSignal } from '../lifecycle.ts';
import { fail } from '../output.ts';
import { positiveInt } from '../numbers.ts';
import { egressAllowOption } from '../egress-allow.ts';
import { registerOperators } from './operators.ts';

export interface ServiceOptions {
  data: string;
  port: number;
  host: string;
  publicUrl?: string;
  smtpUrl?: string;
  trustProxy?: number | string;
  local?: boolean;
  egressAllow?: string[];
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** A `--trust-proxy` value as Express takes it, checked here so that a typo stops the start with a clear word. */
function trustProxy(value: string): number | string {
  if (/^\d+$/.test(value)) return Number(value);
  const parts = value.split(',').map((part) => part.trim());
  for (const part of parts) {
    const [address = '', prefix, ...rest] = part.split('/');
    const version = isIP(address);
    const validPrefix = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
    if (PROXY_NAMES.has(part) || (version !== 0 && validPrefix && rest.length === 0)) continue;
    throw new InvalidArgumentError(`"${part}" is not an IP address, a subnet such as 10.0.0.0/8, a number of hops, or one of loopback, linklocal, uniquelocal`);
  }
  return parts.join(',');
}

/** The options the cloud shares with `edgecourier start`. */
export function addServiceOptions(command: Command, dataDefault: string): Command {
  return command
    .option('--data <dir>', 'where the database, app folders and mail outbox live', dataDefault)
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', (value) => (value === '0' ? 0 : positiveInt(value)), 8080)
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--public-url <url>', 'the URL people reach the service at, for mailed links and endpoint URLs (default http://localhost:<port>)')
    .option(
      '--smtp-url <url>',
      'send mail through this SMTP server (default $SMTP_URL; without one, mails go to <data>/outbox as .eml files)',
      process.env.SMTP_URL,
    )
    .addOption(new Option('--operator <email>').hideHelp().argParser(refuseOperatorFlag))
    .option(
      '--trust-proxy <proxies>',
      'behind a TLS proxy: believe X-Forwarded-For and -Proto from these proxies (addresses, subnets, loopback, or a number of hops), for per-client limits and Secure cookies',
      trustProxy,
    )
    .addOption(egressAllowOption())
    .addOption(new Option('--local', 'run functions as plain processes instead of Docker containers: NO SANDBOX'));
}

/**
 * The flag made whoever signed up first with the address an operator, and addresses are never verified, so it is
 * refused with what to do instead rather than ignored (a cloud silently without operators would puzzle its owner).
 */
function refuseOperatorFlag(email: string): never {
  throw new InvalidArgumentError(
    `--operator is gone: it made whoever signed up first with that address an operator. Start the cloud without it, sign up as ${email}, then run \`edgecourier cloud operators add ${email} --data <the cloud's data folder>\` on the cloud's host.`,
  );
}

/** The cloud's settings from the shared options; the secret key comes from the environment only, never a command line others can see. */
export function cloudSettings(options: ServiceOptions): Omit<CloudSettings, 'executor' | 'logger'> {
  return {
    dataDir: resolve(options.data),
    port: options.port,
    host: options.host,
    publicUrl: options.publicUrl,
    smtpUrl: options.smtpUrl,
    trustProxy: options.trustProxy,
    secretKey: process.env.EDGECOURIER_SECRET_KEY || undefined,
  };
}

export function registerCloud(program: Command): void {
  const command = addServiceOptions(program.command('cloud'), resolve('data'));
  registerOperators(command, resolve('data'));
  command
    .description('Run the cloud service: accounts, apps, functions, endpoints and test-invocation over HTTP (docs/http-api.md).')
    .addHelpText(
      'after',
      '\nLogs are JSON lines on stdout. GET /metrics (Prometheus) and GET /healthz are for operators. SIGINT or SIGTERM stop it after requests in flight.',
    )
    .action(async (options: ServiceOptions) => {
      const [{ pino }, { startCloud }, { createExecutor }, { serveRuns }] = await Promise.all([
        import('pino'),
        import('../../cloud/main.ts'),
        import('../../docker/executor-factory.ts'),
        import('../run-socket/server.ts'),
      ]);
      const logger = pino();
      try {
        const executor = await createExecutor({ local: options.local ?? false, egressAllow: options.egressAllow, log: (line) => logger.info(line) });
        const cloud = await startCloud({ ...cloudSettings(options), executor, logger });
        const runs = await serveRuns({ ...executor, executor: cloud.observability.executor, logger });
        stopOnSignal(logger, [() => runs.close(), () => cloud.close(), () => executor.executor.close()]);
      } catch (error) {
        fail(error);
      }
    });
}
