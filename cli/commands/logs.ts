/** @module `edgecourier logs`: an app's recent activations with their console output, filtered, and followed live with --follow. */
import type { Command } from 'commander';
import { activationPaths, type Activation, type ActivationPage } from '../../api/activations.ts';
import { positiveInt } from '../numbers.ts';
import { fail, printJson } from '../output.ts';

interface LogsOptions {
  follow?: boolean;
  outcome?: string;
  since?: string;
  limit: number;
  json?: boolean;
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description(
      'Show the recent activations of your cloud app <app> (or of its <function> only), oldest first, with their console output; --follow keeps printing new ones.',
    )
    .argument('<app>', 'app name or id')
    .argument('[function]', 'only the activations of this function, nested calls of it among them')
    .option('-f, --follow', 'keep printing new activations as they are recorded, until stopped (Ctrl-C)')
    .option('--outcome <outcome>', 'only those that ended so: ok, error, or an error code such as TIMEOUT')
    .option('--since <time>', 'only those that began since: a time (2025-01-31T12:00:00Z) or how long ago (30s, 10m, 2h, 1d)')
    .option('-n, --limit <count>', 'how many recent activations to show first (at most 100)', positiveInt, 50)
    .option('--json', 'print JSON: an array of activation records, or with --follow one record a line')
    .addHelpText('after', '\nEach activation shows its id: `edgecourier activation <id>` shows all of it, its nested calls among it.')
    .action(async (appName: string, fn: string | undefined, options: LogsOptions) => {
      try {
        const [{ findApp, loggedInClient }, { timeArg }, { activationSummary }] = await Promise.all([
          import('../session.ts'),
          import('../time-args.ts'),
          import('../activation-text.ts'),
        ]);
        const filter = new URLSearchParams({
          ...(fn && { function: fn }),
          ...(options.outcome && { outcome: options.outcome }),
          ...(options.since && { since: timeArg('--since', options.since) }),
        });
        const client = await loggedInClient();
        const app = await findApp(client, appName);
        const query = new URLSearchParams(filter);
        query.set('limit', String(options.limit));
        const { activations } = await client.request<ActivationPage>('GET', `${activationPaths.list(app.id)}?${query}`);
        const recent = activations.reverse();
        const show = (activation: Activation) => process.stdout.write(`${options.json ? JSON.stringify(activation) : activationSummary(activation)}\n`);
        if (!options.follow) {
          if (options.json) printJson(recent);
          else if (recent.length === 0) process.stdout.write(`no activations of ${fn ?? app.name} yet\n`);
          else recent.forEach(show);
          return;
        }
        recent.forEach(show);
        const { followActivations } = await import('../follow-activations.ts');
        await followActivations(client, app, filter, recent.at(-1)?.seq, show);
      } catch (error) {
        fail(error);
      }
    });
}
