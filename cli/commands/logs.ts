/** @module `edgecourier logs`: a function's recent invocations with their console output. */
import type { Command } from 'commander';
import type { ErrorBody } from '../../base/errors.ts';
import type { InvocationLog } from '../../runtime/protocol.ts';
import { fail, printJson } from '../output.ts';

interface Invocation {
  at: string;
  ok: boolean;
  error?: ErrorBody;
  durationMs: number;
  logs: InvocationLog[];
}

function describe(invocation: Invocation): string {
  const outcome = invocation.ok ? 'ok' : `${invocation.error?.code}: ${invocation.error?.message}`;
  const lines = invocation.logs.map((log) => `    ${log.fn} ${log.level}: ${log.message}`);
  return [`${invocation.at}  ${invocation.durationMs.toFixed(1)} ms  ${outcome}`, ...lines].join('\n');
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("Show <function>'s recent invocations (the last 50, newest first) with their console output.")
    .argument('<app>', 'app name or id')
    .argument('<function>', 'function name')
    .option('--json', 'print JSON instead of text')
    .action(async (appName: string, fn: string, options: { json?: boolean }) => {
      try {
        const { findApp, loggedInClient } = await import('../session.ts');
        const client = await loggedInClient();
        const app = await findApp(client, appName);
        const { invocations } = await client.request<{ invocations: Invocation[] }>('GET', `/api/v1/apps/${app.id}/functions/${fn}/logs`);
        if (options.json) printJson(invocations);
        else process.stdout.write(invocations.length ? invocations.map(describe).join('\n') + '\n' : `no invocations of ${fn} yet\n`);
      } catch (error) {
        fail(error);
      }
    });
}
