/** @module `edgecourier run`: runs one function of an app folder and prints the response (output, cache, logs, stats). */
import { type Command, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defaultCacheDir, defaultRunDir } from '../../base/paths.ts';
import type { AppEnv } from '../../runtime/app-env.ts';
import type { CallObserver } from '../../runtime/call-trace.ts';
import type { InvocationRequest } from '../../runtime/invocation-service.ts';
import type { HarnessProcess } from '../../runtime/process/harness-process.ts';
import type { InvokeResponse } from '../../runtime/protocol.ts';
import { fail, functionFailed, printJson, progress } from '../output.ts';

interface RunOptions {
  input?: string;
  cache?: string;
  precomputed?: string;
  saveResults?: string;
  secrets?: string;
  local?: boolean;
  report?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run <function> of the app in <appDir> and print the response as JSON.')
    .argument('<appDir>', 'the app folder: app.json, package.json, functions/<name>.js|.mjs|.cjs|.ts and the files they load')
    .argument('<function>', 'the function to run')
    .option('-i, --input <json>', 'the input: inline JSON, or @file holding it', 'null')
    .option('--cache <file>', 'cache entries an earlier response returned (its "cache" field)')
    .option('--precomputed <file>', 'results computed elsewhere, e.g. a --save-results file from an edge run')
    .option('--save-results <file>', 'write every result of this call tree to <file>, ready to send as precomputed')
    .option('--secrets <file>', 'secrets for process.env of the functions: a JSON file { "NAME": "value" } only you may read (mode 600)')
    .addOption(new Option('--local', 'run as plain processes on this machine instead of Docker containers: NO SANDBOX, for edge computing with code you trust'))
    .option(
      '--report <app>',
      'after the run, send its profile (every call counted as run at the edge) to your cloud app <app>, by name or id; a failed report is only a warning',
    )
    .addHelpText('after', '\nExit status: 0 when the function succeeded, 1 when it failed (the error is in the JSON), 2 for bad arguments.')
    .addHelpText(
      'after',
      '\nWithout --local, a run goes through the sandboxes of an edgecourier service of yours running on this machine (npm start,\nedgecourier courier or cloud), when there is one; otherwise it starts a container of its own.',
    )
    .action(async (appDir: string, fn: string, options: RunOptions) => {
      try {
        const { parseJsonArg, readEntries } = await import('../json-args.ts');
        const request = {
          function: fn,
          input: await parseJsonArg('--input', options.input ?? 'null'),
          cache: options.cache ? await readEntries('--cache', options.cache) : undefined,
          precomputed: options.precomputed ? await readEntries('--precomputed', options.precomputed) : undefined,
        };
        const recordResults = !!options.saveResults;
        const secrets = options.secrets ? await (await import('../../runtime/secrets-file.ts')).readSecretsFile(options.secrets) : undefined;
        // A report needs every call of the tree, which only a run of its own sees.
        const profile = options.report === undefined ? undefined : new (await import('../edge-report.ts')).EdgeRunProfile();
        const through = options.local || profile ? undefined : (await import('../run-socket/client.ts')).runThroughService;
        const answer = await through?.({ appDir: resolve(appDir), recordResults, ...(secrets ? { secrets } : {}), ...request });
        if (answer) progress('ran in the sandboxes of the edgecourier service running here');
        for (const warning of answer?.warnings ?? []) progress(warning);
        const response =
          answer?.response ?? (await runHere(appDir, request, { recordResults, local: options.local ?? false, secrets, onCall: profile?.onCall }));
        if (options.saveResults && response.ok) {
          await writeFile(options.saveResults, JSON.stringify(response.results ?? {}, null, 2) + '\n');
          delete response.results;
        }
        printJson(response);
        // The JSON is for programs; a person reading the terminal sees what failed on stderr too.
        if (!response.ok) functionFailed(response.error);
        process.exitCode = response.ok ? 0 : 1;
        // After the answer is out, and whatever becomes of it, the run's outcome stands.
        if (profile)
          await profile
            .report(options.report!)
            .then(progress, (error: unknown) => progress(`warning: the profile was not reported: ${error instanceof Error ? error.message : String(error)}`));
      } catch (error) {
        fail(error);
      }
    });
}

interface RunHereOptions {
  recordResults: boolean;
  local: boolean;
  secrets: AppEnv | undefined;
  onCall?: CallObserver;
}

/** With no service to ask: an executor of its own (containers, or processes with --local), for this one call. */
async function runHere(appDir: string, request: InvocationRequest, { recordResults, local, secrets, onCall }: RunHereOptions): Promise<InvokeResponse> {
  const dirs = { cacheDir: defaultCacheDir(), runDir: defaultRunDir() };
  const firstProcess = local ? startHarnessEarly(dirs) : undefined;
  // Spawned before the runtime loads, whose modules hold this thread for a tenth of a second; a failure to start it is
  // the first call's to report, as when the pool starts the process itself.
  await firstProcess?.catch(() => {});
  const [{ createExecutor }, { loadApp }, { InvocationService }] = await Promise.all([
    import('../../docker/executor-factory.ts'),
    import('../../runtime/app.ts'),
    import('../../runtime/invocation-service.ts'),
  ]);
  const { executor, installer } = await createExecutor({ local, prestart: 0, log: progress, ...dirs, ...(firstProcess && { firstProcess }) });
  try {
    const load = async () => {
      const app = await loadApp(appDir, { dependencyKey: (manifest) => installer.key(manifest), secrets });
      for (const warning of app.warnings) progress(warning);
      return app;
    };
    const service = new InvocationService({
      executor,
      installer,
      onUnexpected: (error) => progress(`unexpected error: ${error instanceof Error ? error.stack : String(error)}`),
    });
    return await service.invoke(load, request, { recordResults, onCall });
  } finally {
    await executor.close();
  }
}

/**
 * Starts the harness's node process for `--local` at once: it starts, connects and readies its worker thread on the
 * other core while this process loads the runtime and the app, instead of after them.
 */
async function startHarnessEarly({ cacheDir, runDir }: { cacheDir: string; runDir: string }): Promise<HarnessProcess> {
  const [{ buildHarness }, { startHarnessProcess }] = await Promise.all([
    import('../../runtime/harness-bundle.ts'),
    import('../../runtime/process/harness-process.ts'),
  ]);
  // The same harness createExecutor finds under the same cache folder.
  const harness = await buildHarness(join(cacheDir, 'harness'));
  // One call tree runs on one thread: a thread kept in reserve would only take CPU from this run's start.
  return startHarnessProcess({ harnessDir: harness.dir, runDir, spareThreads: 0 });
}
