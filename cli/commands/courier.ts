/** @module `edgecourier courier`: watches a synced folder and answers request files until stopped. */
import { type Command, Option } from 'commander';
import { pino } from 'pino';
import { startCourier } from '../../courier/main.ts';
import { createExecutor } from '../../docker/executor-factory.ts';
import { stopOnSignal } from '../lifecycle.ts';
import { positiveInt } from '../numbers.ts';
import { fail } from '../output.ts';

interface CourierOptions {
  root: string;
  state?: string;
  concurrency: number;
  maxRequestBytes: number;
  settleMs: number;
  local?: boolean;
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
        const executor = await createExecutor({ local: options.local ?? false, log: (line) => logger.info(line) });
        const running = await startCourier({
          root: options.root,
          stateDir: options.state,
          concurrency: options.concurrency,
          maxRequestBytes: options.maxRequestBytes,
          settleMs: options.settleMs,
          executor,
          logger,
        });
        stopOnSignal(logger, [() => running.stop(), () => executor.executor.close()]);
      } catch (error) {
        fail(error);
      }
    });
}
