/** @module `edgecourier couriers scale|ls|rm`: a fleet of courier containers on this host's Docker engine. */
import { type Command, InvalidArgumentError } from 'commander';
import { SERVICE_HOME } from '../../deploy/service-config.ts';
import { SWARM_SERVICE } from '../../deploy/swarm-fleet.ts';
import { EdgeError } from '../../base/errors.ts';
import { positiveInt } from '../numbers.ts';
import { guarded, printResult, progress, table } from '../output.ts';

interface ScaleFlags {
  cloud: string;
  token?: string;
  hostFolder: string;
  swarm?: boolean;
  timeout?: number;
  json?: boolean;
}

interface Flags {
  swarm?: boolean;
  json?: boolean;
}

/** Names as a person reads them in a sentence: `none`, or comma-separated. */
const named = (names: string[]) => names.join(', ') || 'none';

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
  if (!flags.swarm) {
    const changed = await scaleCouriers(docker, options);
    return printResult(flags.json, changed, `${count} courier(s) wanted; created: ${named(changed.created)}; removed: ${named(changed.removed)}`);
  }
  await ensureSwarm(docker, progress);
  const service = await scaleSwarmCouriers(docker, { ...options, ...(flags.timeout ? { timeoutMs: flags.timeout * 1000 } : {}) });
  printResult(flags.json, service, `service ${service.service}${service.created ? ' created' : ''}: ${service.replicas} replica(s) running`);
}

async function list(flags: Flags): Promise<void> {
  const [{ ensureEngine }, { listCouriers }, { listSwarmCouriers }] = await Promise.all([
    import('../../docker/engine.ts'),
    import('../../deploy/courier-fleet.ts'),
    import('../../deploy/swarm-fleet.ts'),
  ]);
  const docker = await ensureEngine({ log: progress });
  if (flags.swarm) {
    const tasks = (await listSwarmCouriers(docker)).map((task) => ({
      slot: task.slot,
      task: task.task,
      container: task.container?.slice(0, 12) ?? null,
      state: task.state,
      desired: task.desiredState,
      error: task.error ?? null,
    }));
    const rows = tasks.map((task) => [String(task.slot), task.task, task.container ?? '-', task.state, task.desired, task.error ?? '']);
    return printResult(
      flags.json,
      tasks,
      tasks.length === 0 ? `no tasks of ${SWARM_SERVICE}` : table([['SLOT', 'TASK', 'CONTAINER', 'STATE', 'DESIRED', 'ERROR'], ...rows]),
    );
  }
  const couriers = (await listCouriers(docker)).map((courier) => ({
    name: courier.name,
    state: courier.state,
    health: courier.health,
    uptime: courier.state === 'running' ? uptime(courier.startedAt) : null,
  }));
  const rows = couriers.map((courier) => [courier.name, courier.state, courier.health, courier.uptime ?? '-']);
  printResult(flags.json, couriers, couriers.length === 0 ? 'no couriers on this host' : table([['NAME', 'STATE', 'HEALTH', 'UPTIME'], ...rows]));
}

async function remove(names: string[], flags: Flags): Promise<void> {
  const [{ ensureEngine }, { removeCouriers }, { removeSwarmCouriers }] = await Promise.all([
    import('../../docker/engine.ts'),
    import('../../deploy/courier-fleet.ts'),
    import('../../deploy/swarm-fleet.ts'),
  ]);
  const docker = await ensureEngine({ log: progress });
  if (flags.swarm) {
    if (names.length > 0)
      throw new EdgeError('INVALID_INPUT', `with --swarm the whole service ${SWARM_SERVICE} is removed; scale it down instead of naming couriers`);
    const removed = (await removeSwarmCouriers(docker, progress)) ? [SWARM_SERVICE] : [];
    return printResult(flags.json, { removed }, `removed: ${named(removed)}`);
  }
  const removed = await removeCouriers(docker, names.length > 0 ? names : undefined, progress);
  printResult(flags.json, { removed }, `removed ${removed.length} courier(s): ${named(removed)}`);
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
    .option('--json', 'print JSON: { created, removed }, or with --swarm { service, replicas, created }')
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
    .option('--json', 'print JSON: [{ name, state, health, uptime }], or with --swarm [{ slot, task, container, state, desired, error }]')
    .description('List the couriers: name, state, health and uptime.')
    .action(guarded(list));
  couriers
    .command('rm')
    .argument('[names...]', 'couriers to remove (default: all)')
    .option('--swarm', `remove the service ${SWARM_SERVICE} and wait for its containers to stop`)
    .option('--json', 'print { removed } as JSON: the names of the couriers (or the service) removed')
    .description('Gracefully stop and remove couriers, and any sandboxes they left.')
    .action(guarded(remove));
}
