/** @module `edgecourier courier`: watches a synced folder and answers request files until stopped. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { startCourier } from '../../courier/main.ts';
import { fail } from '../output.ts';

interface CourierOptions {
  root: string;
  state?: string;
  concurrency: number;
  maxRequestBytes: number;
  settleMs: number;
  local?: boolean;
}

function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return number;
}

export function registerCourier(program: Command): void {
  program
    .command('courier')
    .description('Watch a synced folder: every folder in it is an app; each <app>/requests/<id>.json gets <app>/results/<id>.json.')
    .requiredOption('-r, --root <dir>', 'the synced folder (e.g. a folder the Dropbox or OneDrive client keeps in sync)')
    .option('--state <dir>', 'where the journal lives; must be outside the root (default: $EDGECOURIER_STATE or ~/.local/state/edgecourier)')
    .option('-c, --concurrency <n>', 'requests run at once', positiveInt, 16)
    .option('--max-request-bytes <n>', 'larger request files get a REQUEST_TOO_LARGE result', positiveInt, 1024 * 1024)
    .option('--settle-ms <ms>', 'how long a request that is not yet valid JSON, or an app that just changed, may still be syncing', positiveInt, 1000)
    .addOption(new Option('--local', 'run functions as plain processes instead of Docker containers: NO SANDBOX'))
    .addHelpText('after', '\nLogs are JSON lines on stdout, one per request. SIGINT or SIGTERM lets requests in flight finish, then exits.')
    .action(async (options: CourierOptions) => {
      const logger = pino({ base: { pid: process.pid } });
      try {
        const running = await startCourier({
          root: options.root,
          stateDir: options.state,
          concurrency: options.concurrency,
          maxRequestBytes: options.maxRequestBytes,
          settleMs: options.settleMs,
          executor: { local: options.local ?? false },
          logger,
        });
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) process.exit(130);
          stopping = true;
          logger.info({ signal }, 'stopping: letting requests in flight finish (signal again to quit at once)');
          void running.stop().then(() => process.exit(0));
        };
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('SIGTERM', () => stop('SIGTERM'));
      } catch (error) {
        fail(error);
      }
    });
}
