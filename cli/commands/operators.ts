/** @module `edgecourier cloud operators list|add|remove`: who may run couriers, changed on the cloud's own host. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { OperatorChange, OperatorView } from '../../cloud/services/operators.ts';
import { guarded, printResult } from '../output.ts';

interface DataOption {
  data: string;
  json?: boolean;
}

const operatorPath = (email: string) => `/operators/${encodeURIComponent(email)}`;

/** One control command to the cloud running on `data`. */
async function control<T>(data: string, method: 'GET' | 'PUT' | 'DELETE', path: string): Promise<T> {
  const { controlRequest } = await import('../control-client.ts');
  return controlRequest<T>(resolve(data), method, path);
}

/** A change of role, for a person: what the account is now, and whether it was so before. */
function changeText(change: OperatorChange): string {
  return `${change.email} ${change.operator ? 'is an operator' : 'is not an operator'}${change.changed ? '' : ' (it already was so: nothing changed)'}`;
}

/** Adds or removes the role of `email` and says what came of it. */
const changeRole = (method: 'PUT' | 'DELETE') =>
  guarded(async (email: string, options: DataOption) => {
    const change = await control<OperatorChange>(options.data, method, operatorPath(email));
    printResult(options.json, change, changeText(change));
  });

export function registerOperators(cloud: Command, dataDefault: string): void {
  const operators = cloud
    .command('operators')
    .description(
      "Who is an operator: whose API tokens run couriers and receive users' root credentials (docs/fleet-api.md). Talks to the cloud running on --data through its control socket, so only someone who may use that folder can change it.",
    );
  const withData = (command: Command, json: string) =>
    command.option('--data <dir>', 'the data folder of the running cloud', dataDefault).option('--json', `print JSON: ${json}`);
  withData(operators.command('list').description('List the operator accounts.'), '[{ id, email, createdAt }]').action(
    guarded(async (options: DataOption) => {
      const { operators: listed } = await control<{ operators: OperatorView[] }>(options.data, 'GET', '/operators');
      printResult(
        options.json,
        listed,
        listed.map((operator) => operator.email).join('\n') || 'no operators: add one with edgecourier cloud operators add <email>',
      );
    }),
  );
  const change = '{ id, email, createdAt, operator, changed }';
  withData(operators.command('add <email>').description('Make the existing account of this address an operator (it must have signed up).'), change).action(
    changeRole('PUT'),
  );
  withData(operators.command('remove <email>').description('Make an operator an ordinary user again; its couriers get 403 from then on.'), change).action(
    changeRole('DELETE'),
  );
}
