/** @module `edgecourier run`: runs one function of an app folder and prints the response (output, cache, logs, stats). */
import { type Command, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { fail, printJson, progress } from '../output.ts';

interface RunOptions {
  input?: string;
  cache?: string;
  precomputed?: string;
  saveResults?: string;
  local?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run <function> of the app in <appDir> and print the response as JSON.')
    .argument('<appDir>', 'the app folder: app.json, package.json, functions/<name>.js|.mjs|.ts')
    .argument('<function>', 'the function to run')
    .option('-i, --input <json>', 'the input: inline JSON, or @file holding it', 'null')
    .option('--cache <file>', 'cache entries an earlier response returned (its "cache" field)')
    .option('--precomputed <file>', 'results computed elsewhere, e.g. a --save-results file from an edge run')
    .option('--save-results <file>', 'write every result of this call tree to <file>, ready to send as precomputed')
    .addOption(new Option('--local', 'run as plain processes on this machine instead of Docker containers: NO SANDBOX, for edge computing with code you trust'))
    .addHelpText('after', '\nExit status: 0 when the function succeeded, 1 when it failed (the error is in the JSON), 2 for bad arguments.')
    .action(async (appDir: string, fn: string, options: RunOptions) => {
      try {
        const [{ parseJsonArg, readEntries }, { createExecutor }, { loadApp }, { InvocationService }] = await Promise.all([
          import('../json-args.ts'),
          import('../../docker/executor-factory.ts'),
          import('../../runtime/app.ts'),
          import('../../runtime/invocation-service.ts'),
        ]);
        const input = await parseJsonArg('--input', options.input ?? 'null');
        const cache = options.cache ? await readEntries('--cache', options.cache) : undefined;
        const precomputed = options.precomputed ? await readEntries('--precomputed', options.precomputed) : undefined;
        const { executor, installer } = await createExecutor({ local: options.local ?? false, prestart: 0, log: progress });
        try {
          const load = async () => {
            const app = await loadApp(appDir, { dependencyKey: (manifest) => installer.key(manifest) });
            for (const warning of app.warnings) progress(warning);
            return app;
          };
          const service = new InvocationService({ executor, installer, onUnexpected: (error) => progress(`unexpected error: ${error instanceof Error ? error.stack : String(error)}`) });
          const response = await service.invoke(load, { function: fn, input, cache, precomputed }, { recordResults: !!options.saveResults });
          if (options.saveResults && response.ok) {
            await writeFile(options.saveResults, JSON.stringify(response.results ?? {}, null, 2) + '\n');
            delete response.results;
          }
          printJson(response);
          // The JSON is for programs; a person reading the terminal sees what failed on stderr too.
          if (!response.ok) progress(`${response.error.code}: ${response.error.message.split('\n', 1)[0]}`);
          process.exitCode = response.ok ? 0 : 1;
        } finally {
          await executor.close();
        }
      } catch (error) {
        fail(error);
      }
    });
}
