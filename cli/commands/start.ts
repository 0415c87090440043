/**
 * @module `edgecourier start` (what `npm start` runs): the cloud and a courier in one process sharing one
 * executor, with embedded defaults: data in ./data, the synced folder ./data/sync holding an example
 * app, mail into ./data/outbox; with `--owner`, the folder's apps with endpoints are that account's cloud
 * apps too. Small enough for an edge box.
 */
import { Option, type Command } from 'commander';
import { cp, mkdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { packageRoot } from '../../runtime/package-root.ts';
import { stopOnSignal } from '../lifecycle.ts';
import { fail } from '../output.ts';
import { addServiceOptions, cloudSettings, type ServiceOptions } from './cloud.ts';
import { retryForOption } from './courier.ts';

const exampleApp = join(packageRoot, 'docs', 'examples', 'hello');

/** Puts the example app into a new synced folder, so there is something to try at once. */
async function seedSyncFolder(sync: string): Promise<void> {
  if (await stat(sync).catch(() => undefined)) return;
  await mkdir(join(sync, 'hello', 'requests'), { recursive: true });
  await cp(exampleApp, join(sync, 'hello'), { recursive: true });
}

/** The HTTP door: the folder's own apps when it has an owner, else a deploy of the example. */
function httpSteps(url: string, owner: string | undefined): string {
  const call = `  npx edgecourier apps          # shows the endpoint URL of greet
  curl -X POST <that URL> -H 'content-type: application/json' -d '{"input":{"name":"Ada"}}'`;
  if (owner)
    return `  npx edgecourier signup --url ${url} --email ${owner}
${call}
  (the folder belongs to ${owner}: its apps whose app.json declares endpoints, "hello" among them, are that account's cloud apps too)`;
  return `  npx edgecourier signup --url ${url} --email you@example.com
  npx edgecourier deploy docs/examples/hello --start
${call}
  (or start with --owner you@example.com: the folder's apps with endpoints become that account's cloud apps)`;
}

function nextSteps(url: string, data: string, sync: string, owner: string | undefined): string {
  const rel = (path: string) => relative(process.cwd(), path) || '.';
  return `
edgecourier is running.
  cloud    ${url}   (database ${rel(join(data, 'cloud.json'))}, mail ${rel(join(data, 'outbox'))})
  console  ${url}/   (in a browser: sign up, write a function, run it)
  courier  ${rel(sync)}   (every folder in it is an app; the example is "hello")
  metrics  ${url}/metrics and ${url}/healthz, for both

Try, in another terminal:
  echo '{"function":"greet","input":{"name":"Ada"}}' > ${rel(join(sync, 'hello', 'requests', 'first.json'))}
  cat ${rel(join(sync, 'hello', 'results', 'first.json'))}

${httpSteps(url, owner)}

Stop with Ctrl-C.
`;
}

export function registerStart(program: Command): void {
  addServiceOptions(program.command('start'), resolve('data'))
    .description('Run the cloud and a courier on <data>/sync in one process, with an example app: the quick start.')
    .addOption(retryForOption())
    .addOption(
      new Option(
        '--owner <email>',
        "the account the synced folder belongs to: its apps whose app.json declares endpoints are that account's cloud apps too, once it exists",
      ).env('EDGECOURIER_OWNER'),
    )
    .action(async (options: ServiceOptions & { retryForMs: number; owner?: string }) => {
      const [{ pino }, { startCombined }, { createExecutor }] = await Promise.all([
        import('pino'),
        import('../combined-service.ts'),
        import('../../docker/executor-factory.ts'),
      ]);
      const { serveRuns } = await import('../run-socket/server.ts');
      const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
      try {
        const data = resolve(options.data);
        const sync = join(data, 'sync');
        await seedSyncFolder(sync);
        process.stderr.write('edgecourier: starting (the first start installs Docker and builds the base image; this can take a minute)\n');
        const executor = await createExecutor({
          local: options.local ?? false,
          egressAllow: options.egressAllow,
          log: (line) => process.stderr.write(`edgecourier: ${line}\n`),
        });
        const { cloud, close } = await startCombined({
          cloud: cloudSettings(options),
          owner: options.owner,
          retryForMs: options.retryForMs,
          executor,
          logger,
        });
        const runs = await serveRuns({ ...executor, executor: cloud.observability.executor, logger });
        process.stdout.write(nextSteps(cloud.url, data, sync, options.owner));
        stopOnSignal(logger, [() => runs.close(), close, () => executor.executor.close()]);
      } catch (error) {
        fail(error);
      }
    });
}
