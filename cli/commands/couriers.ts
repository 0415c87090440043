/** @module `edgecourier couriers scale|ls|rm`: a fleet of courier containers on this host's Docker engine. */
import { type Command, InvalidArgumentError } from 'commander';
import { SERVICE_HOME } from '../../deploy/service-config.ts';
import { SWARM_SERVICE } from '../../deploy/swarm-fleet.ts';
import { EdgeError } from '../../base/errors.ts';
import { positiveInt } from '../numbers.ts';
import { fail, printJson, progress } from '../output.ts';

interface ScaleFlags {
  cloud: string;
  token?: string;
  hostFolder: string;
  swarm?: boolean;
  timeout?: number;
}

function fleetSize(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('expected a whole number of at least 0');
  return number;
}

/** Time since `since` in its two largest units, e.g. `3h 12m`. */
function uptime(since: Date | undefined): string | null {
  if (!since) return null;
  const seconds = Math.max(0, Math.round((Date.now() - since.getTime()) / 1000));
  const parts: Array<[number, string]> = [
    [Math.floor(seconds / 86400), 'd'],
    [Math.floor(seconds / 3600) % 24, 'h'],
    [Math.floor(seconds / 60) % 60, 'm'],
    [seconds % 60, 's'],
  ];
  const largest = parts.findIndex(([value]) => value > 0);
  // Zero seconds still shows as `0s`.
  const first = largest === -1 ? 3 : largest;
  return parts
    .slice(first, first + 2)
    .map(([value, unit]) => `${value}${unit}`)
    .join(' ');
}

async function scale(count: number, flags: ScaleFlags): Promise<void> {
  const token = flags.token ?? process.env.EDGECOURIER_TOKEN;
  if (!token) throw new EdgeError('INVALID_INPUT', "couriers need an operator's API token: --token <token> or EDGECOURIER_TOKEN");
  const [{ ensureEngine }, { ensureServiceImages }, { scaleCouriers }, { ensureSwarm, scaleSwarmCouriers }] = await Promise.all([
    import('../../docker/engine.ts'),
    import('../../deploy/service-images.ts'),
    import('../../deploy/courier-fleet.ts'),
    import('../../deploy/swarm-fleet.ts'),
  ]);
  const docker = await ensureEngine({ log: progress });
  const { courier } = await ensureServiceImages(docker, { log: progress });
  const options = { count, cloudUrl: flags.cloud, token, image: courier, hostFolder: flags.hostFolder, log: progress };
  if (!flags.swarm) return printJson(await scaleCouriers(docker, options));
  await ensureSwarm(docker, progress);
  printJson(await scaleSwarmCouriers(docker, { ...options, ...(flags.timeout ? { timeoutMs: flags.timeout * 1000 } : {}) }));
}

async function list(flags: { swarm?: boolean }): Promise<void> {
  const [{ ensureEngine }, { listCouriers }, { listSwarmCouriers }] = await Promise.all([
    import('../../docker/engine.ts'),
    import('../../deploy/courier-fleet.ts'),
    import('../../deploy/swarm-fleet.ts'),
  ]);
  const docker = await ensureEngine({ log: progress });
  if (flags.swarm) {
    const tasks = await listSwarmCouriers(docker);
    return printJson(
      tasks.map((task) => ({
        slot: task.slot,
        task: task.task,
        container: task.container?.slice(0, 12) ?? null,
        state: task.state,
        desired: task.desiredState,
        error: task.error ?? null,
      })),
    );
  }
  const couriers = await listCouriers(docker);
  printJson(
    couriers.map((courier) => ({
      name: courier.name,
      state: courier.state,
      health: courier.health,
      uptime: courier.state === 'running' ? uptime(courier.startedAt) : null,
    })),
  );
}

async function remove(names: string[], flags: { swarm?: boolean }): Promise<void> {
  const [{ ensureEngine }, { removeCouriers }, { removeSwarmCouriers }] = await Promise.all([
    import('../../docker/engine.ts'),
    import('../../deploy/courier-fleet.ts'),
    import('../../deploy/swarm-fleet.ts'),
  ]);
  const docker = await ensureEngine({ log: progress });
  if (flags.swarm) {
    if (names.length > 0)
      throw new EdgeError('INVALID_INPUT', `with --swarm the whole service ${SWARM_SERVICE} is removed; scale it down instead of naming couriers`);
    return printJson({ removed: (await removeSwarmCouriers(docker, progress)) ? [SWARM_SERVICE] : [] });
  }
  const removed = await removeCouriers(docker, names.length > 0 ? names : undefined, progress);
  progress(`removed ${removed.length} courier(s)`);
  printJson({ removed });
}

/** Runs an action and reports its failure the CLI's way. */
function guarded<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return (...args) => action(...args).catch(fail);
}

export function registerCouriers(program: Command): void {
  const couriers = program
    .command('couriers')
    .description('A fleet of courier containers on this host, serving the roots a cloud assigns (docs/fleet-api.md).');
  couriers
    .command('scale')
    .argument('<count>', 'how many couriers should run (0 removes them all)', fleetSize)
    .description('Build the images where missing, then create couriers up to <count> or gracefully stop the highest-numbered ones.')
    .requiredOption('--cloud <url>', 'the URL of the cloud, as the containers reach it (not 127.0.0.1, which is the container itself)')
    .option(
      '--token <token>',
      "an operator's API token (default: $EDGECOURIER_TOKEN); written to <host-folder>/secrets/edgecourier/courier-token (mode 600) and mounted read-only, with --swarm given as a Docker secret",
    )
    .option('--host-folder <dir>', "holds the fleet's shared state and each courier's own folder", SERVICE_HOME)
    .option(
      '--swarm',
      `run them as the replicas of the Docker Swarm service ${SWARM_SERVICE} (a one-node swarm on 127.0.0.1 is created when the engine is in none)`,
    )
    .option('--timeout <seconds>', 'with --swarm: how long to wait for exactly <count> tasks to run (default 150)', positiveInt)
    .addHelpText(
      'after',
      [
        '',
        'Couriers are containers named edgecourier-courier-<n>, restarted unless stopped, limited to 512 MiB and one CPU.',
        'All of them share <host-folder>/fleet-state; each has <host-folder>/<name> for its run and cache folders.',
        'A courier being removed gets SIGTERM and up to 20 s to finish its requests and let its roots go.',
        `With --swarm: one service ${SWARM_SERVICE}, same limits, restarted on any exit, replicas named by their container ids;`,
        'each has <host-folder>/' + SWARM_SERVICE + '/<slot>. The token is a Docker secret, mounted at /run/secrets/edgecourier-token',
        'and removed with the service. A task runs once its health check passes; a courier gets 120 s to start before failed',
        'checks count. Each task that fails is printed with its reason; a scale that does not settle in time says what the tasks do.',
      ].join('\n'),
    )
    .action(guarded(scale));
  couriers
    .command('ls')
    .option('--swarm', `list the tasks of the service ${SWARM_SERVICE}: slot, task, container, state`)
    .description('List the couriers as JSON: name, state, health and uptime.')
    .action(guarded(list));
  couriers
    .command('rm')
    .argument('[names...]', 'couriers to remove (default: all)')
    .option('--swarm', `remove the service ${SWARM_SERVICE} and wait for its containers to stop`)
    .description('Gracefully stop and remove couriers, and any sandboxes they left.')
    .action(guarded(remove));
}
