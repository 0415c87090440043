/** @module `edgecourier invoke`: test-invokes a function of a cloud app with any input, running or not. */
import type { Command } from 'commander';
import { fail, printJson } from '../output.ts';

interface InvokeOptions {
  input: string;
  cache?: string;
  precomputed?: string;
}

export function registerInvoke(program: Command): void {
  program
    .command('invoke')
    .description('Test-invoke <function> of your cloud app <app> and print the response (output, cache, logs, stats).')
    .argument('<app>', 'app name or id')
    .argument('<function>', 'function name')
    .option('-i, --input <json>', 'the input: inline JSON, or @file holding it', 'null')
    .option('--cache <file>', 'cache entries an earlier response returned')
    .option('--precomputed <file>', 'results computed elsewhere, e.g. by `edgecourier run --local --save-results`')
    .addHelpText('after', '\nExit status: 0 when the function succeeded, 1 when it failed (the error is in the JSON), 2 for bad arguments.')
    .action(async (appName: string, fn: string, options: InvokeOptions) => {
      try {
        const [{ parseJsonArg, readEntries }, { findApp, loggedInClient }] = await Promise.all([import('../json-args.ts'), import('../session.ts')]);
        const envelope = {
          input: await parseJsonArg('--input', options.input),
          ...(options.cache ? { cache: await readEntries('--cache', options.cache) } : {}),
          ...(options.precomputed ? { precomputed: await readEntries('--precomputed', options.precomputed) } : {}),
        };
        const client = await loggedInClient();
        const app = await findApp(client, appName);
        const answer = await client.send('POST', `/api/v1/apps/${app.id}/functions/${fn}/invoke`, envelope);
        printJson(answer.body);
        process.exitCode = answer.status === 200 ? 0 : 1;
      } catch (error) {
        fail(error);
      }
    });
}
