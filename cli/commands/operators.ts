/** @module `edgecourier cloud operators list|add|remove`: who may run couriers, changed on the cloud's own host. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { OperatorView } from '../../cloud/services/operators.ts';
import { fail, printJson } from '../output.ts';

interface DataOption {
  data: string;
}

const operatorPath = (email: string) => `/operators/${encodeURIComponent(email)}`;

/** One control command to the cloud running on `data`. */
async function control<T>(data: string, method: 'GET' | 'PUT' | 'DELETE', path: string): Promise<T> {
  const { controlRequest } = await import('../control-client.ts');
  return controlRequest<T>(resolve(data), method, path);
}

async function report(work: () => Promise<unknown>): Promise<void> {
  try {
    printJson(await work());
  } catch (error) {
    fail(error);
  }
}

export function registerOperators(cloud: Command, dataDefault: string): void {
  const operators = cloud
    .command('operators')
    .description(
      "Who is an operator: whose API tokens run couriers and receive users' root credentials (docs/fleet-api.md). Talks to the cloud running on --data through its control socket, so only someone who may use that folder can change it.",
    );
  const withData = (command: Command) => command.option('--data <dir>', 'the data folder of the running cloud', dataDefault);
  withData(operators.command('list').description('List the operator accounts.')).action((options: DataOption) =>
    report(async () => (await control<{ operators: OperatorView[] }>(options.data, 'GET', '/operators')).operators),
  );
  withData(operators.command('add <email>').description('Make the existing account of this address an operator (it must have signed up).')).action(
    (email: string, options: DataOption) => report(() => control(options.data, 'PUT', operatorPath(email))),
  );
  withData(operators.command('remove <email>').description('Make an operator an ordinary user again; its couriers get 403 from then on.')).action(
    (email: string, options: DataOption) => report(() => control(options.data, 'DELETE', operatorPath(email))),
  );
}
