/** @module `edgecourier activation`: one activation record of your cloud apps, in full. */
import type { Command } from 'commander';
import { activationPaths, type Activation } from '../../api/activations.ts';
import { fail, printJson } from '../output.ts';

export function registerActivation(program: Command): void {
  program
    .command('activation')
    .description(
      "Show the activation <id> (from a response's X-Edgecourier-Activation header or activationId, or `edgecourier logs`): what ran, when, how it ended, its console output and the ids of its nested calls.",
    )
    .argument('<id>', 'the activation id, act_…')
    .option('--json', 'print the record as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      try {
        const [{ loggedInClient }, { activationDetail }] = await Promise.all([import('../session.ts'), import('../activation-text.ts')]);
        const activation = await (await loggedInClient()).request<Activation>('GET', activationPaths.one(id));
        if (options.json) printJson(activation);
        else process.stdout.write(`${activationDetail(activation)}\n`);
      } catch (error) {
        fail(error);
      }
    });
}
