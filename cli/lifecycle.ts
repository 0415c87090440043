/** @module Long-running commands end on SIGINT or SIGTERM: work in flight finishes, then everything closes in order. */
import type { Logger } from 'pino';

/** Runs `stops` in order on the first signal; a second signal quits at once. */
export function stopOnSignal(logger: Logger, stops: Array<() => Promise<void>>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info({ signal }, 'stopping: letting work in flight finish (signal again to quit at once)');
    void (async () => {
      for (const step of stops) await step().catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
