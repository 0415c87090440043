/** @module `edgecourier invoke`: test-invokes a function of a cloud app with any input, running or not. */
import type { Command } from 'commander';
import { fail, functionFailed, printJson, progress } from '../output.ts';

interface InvokeOptions {
  input: string;
  cache?: string;
  precomputed?: string;
  json?: boolean;
}

interface InvokeAnswer {
  output?: unknown;
  error?: { code: string; message: string };
  activationId?: string;
}

/** For a person: the output on stdout (text as it is, anything else as JSON), a failure's code and message on stderr. */
function show(answer: InvokeAnswer): void {
  if (answer.error) functionFailed(answer.error);
  else process.stdout.write(`${typeof answer.output === 'string' ? answer.output : JSON.stringify(answer.output ?? null, null, 2)}\n`);
  if (answer.activationId) progress(`activation ${answer.activationId}: \`edgecourier activation ${answer.activationId}\` shows its console output`);
}

export function registerInvoke(program: Command): void {
  program
    .command('invoke')
    .description('Test-invoke <function> of your cloud app <app> and print its output, or with --json the whole response (output, cache, logs, stats).')
    .argument('<app>', 'app name or id')
    .argument('<function>', 'function name')
    .option('-i, --input <json>', 'the input: inline JSON, or @file holding it', 'null')
    .option('--cache <file>', 'cache entries an earlier response returned')
    .option('--precomputed <file>', 'results computed elsewhere, e.g. by `edgecourier run --local --save-results`')
    .option('--json', 'print the whole response as JSON: output, cache, logs, stats and activationId, or error')
    .addHelpText(
      'after',
      '\nWithout --json it prints the output (text as it is, anything else as JSON) and, when the function failed, its error code and\nmessage on stderr. Exit status: 0 when the function succeeded, 1 when it failed, 2 for bad arguments.',
    )
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
        if (options.json) printJson(answer.body);
        else show(answer.body as InvokeAnswer);
        process.exitCode = answer.status === 200 ? 0 : 1;
      } catch (error) {
        fail(error);
      }
    });
}
