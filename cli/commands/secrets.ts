/** @module `edgecourier secrets set|list|rm`: the secrets of a cloud app's functions; a value is read from stdin, never from the command line. */
import type { Command } from 'commander';
import type { CloudClient } from '../cloud-client.ts';
import { fail, printJson, printResult, progress, table } from '../output.ts';

interface SecretSummary {
  name: string;
  createdAt: string;
  updatedAt: string;
}

/** What a subcommand acts on: the logged-in client, and the secrets of the app named, at `path`; `json` is its --json option. */
interface Target {
  client: CloudClient;
  app: string;
  appId: string;
  path: string;
  json: boolean;
}

/**
 * An action on the app named by the first argument; `name` is the second argument, when the subcommand has one.
 * Commander passes the arguments, then the options, so the options are the last argument but the command itself.
 */
function onApp(act: (target: Target, name: string) => Promise<void>) {
  return async (...args: unknown[]) => {
    try {
      const [appName, name] = args as [string, unknown];
      const options = args.at(-2) as { json?: boolean };
      const { findApp, loggedInClient } = await import('../session.ts');
      const client = await loggedInClient();
      const app = await findApp(client, appName);
      const target = { client, app: app.name, appId: app.id, path: `/api/v1/apps/${app.id}/secrets`, json: options.json ?? false };
      await act(target, typeof name === 'string' ? name : '');
    } catch (error) {
      fail(error);
    }
  };
}

async function set({ client, app, path, json }: Target, name: string): Promise<void> {
  const [{ readQuietly }, { EdgeError }] = await Promise.all([import('../password.ts'), import('../../base/errors.ts')]);
  const value = await readQuietly(`Value of ${name} (not shown): `);
  if (value === '') throw new EdgeError('INVALID_INPUT', `no value for ${name}: pipe it to stdin or type it at the prompt`);
  const secret = await client.request<SecretSummary>('PUT', `${path}/${encodeURIComponent(name)}`, { value });
  progress(`secret ${secret.name} of ${app} set; its sandboxes were replaced, so the next call has it`);
  if (json) printJson(secret);
}

async function list({ client, app, path, json }: Target): Promise<void> {
  const { secrets } = await client.request<{ secrets: SecretSummary[] }>('GET', path);
  const rows = [['NAME', 'SET', 'CHANGED'], ...secrets.map((secret) => [secret.name, secret.createdAt, secret.updatedAt])];
  printResult(json, secrets, secrets.length === 0 ? `app ${app} has no secrets` : table(rows));
}

async function remove({ client, app, appId, path, json }: Target, name: string): Promise<void> {
  await client.request('DELETE', `${path}/${encodeURIComponent(name)}`);
  progress(`secret ${name} of ${app} removed`);
  if (json) printJson({ app: appId, name, removed: true });
}

export function registerSecrets(program: Command): void {
  const secrets = program
    .command('secrets')
    .description('The secrets of your cloud app: values its functions read from process.env, stored sealed, never shown again.');
  secrets
    .command('set')
    .description('Set a secret of <app>: the value is read from stdin, or typed at a prompt that shows nothing.')
    .argument('<app>', 'app name or id')
    .argument('<name>', 'the variable name, e.g. API_KEY: letters, digits and _, not starting with a digit')
    .option('--json', 'also print the secret as JSON: { name, createdAt, updatedAt }, never its value')
    .addHelpText(
      'after',
      [
        '',
        'Never put the value on the command line: process lists and shell history show it. Pipe it instead:',
        '  edgecourier secrets set shop API_KEY < api-key.txt',
        "One final newline is dropped. The app's sandboxes are replaced, so its next call sees the new value.",
      ].join('\n'),
    )
    .action(onApp(set));
  secrets
    .command('list')
    .description("List <app>'s secrets: names and dates, never values.")
    .argument('<app>', 'app name or id')
    .option('--json', 'print JSON: [{ name, createdAt, updatedAt }]')
    .action(onApp(list));
  secrets
    .command('rm')
    .description('Remove a secret of <app>.')
    .argument('<app>', 'app name or id')
    .argument('<name>', 'the variable name')
    .option('--json', 'also print { app, name, removed } as JSON')
    .action(onApp(remove));
}
