/** @module `edgecourier secrets set|list|rm`: the secrets of a cloud app's functions; a value is read from stdin, never from the command line. */
import type { Command } from 'commander';
import type { CloudClient } from '../cloud-client.ts';
import { fail, printJson, progress } from '../output.ts';

interface SecretSummary {
  name: string;
  createdAt: string;
  updatedAt: string;
}

/** What a subcommand acts on: the logged-in client, and the secrets of the app named, at `path`. */
interface Target {
  client: CloudClient;
  app: string;
  path: string;
}

/** An action on the app named by the first argument; `name` is the second argument, when the subcommand has one. */
function onApp(act: (target: Target, name: string) => Promise<void>) {
  return async (appName: string, name: unknown) => {
    try {
      const { findApp, loggedInClient } = await import('../session.ts');
      const client = await loggedInClient();
      const app = await findApp(client, appName);
      await act({ client, app: app.name, path: `/api/v1/apps/${app.id}/secrets` }, typeof name === 'string' ? name : '');
    } catch (error) {
      fail(error);
    }
  };
}

async function set({ client, app, path }: Target, name: string): Promise<void> {
  const [{ readQuietly }, { EdgeError }] = await Promise.all([import('../password.ts'), import('../../base/errors.ts')]);
  const value = await readQuietly(`Value of ${name} (not shown): `);
  if (value === '') throw new EdgeError('INVALID_INPUT', `no value for ${name}: pipe it to stdin or type it at the prompt`);
  const secret = await client.request<SecretSummary>('PUT', `${path}/${encodeURIComponent(name)}`, { value });
  progress(`secret ${secret.name} of ${app} set; its sandboxes were replaced, so the next call has it`);
}

async function list({ client, path }: Target): Promise<void> {
  printJson((await client.request<{ secrets: SecretSummary[] }>('GET', path)).secrets);
}

async function remove({ client, app, path }: Target, name: string): Promise<void> {
  await client.request('DELETE', `${path}/${encodeURIComponent(name)}`);
  progress(`secret ${name} of ${app} removed`);
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
  secrets.command('list').description("List <app>'s secrets: names and dates, never values.").argument('<app>', 'app name or id').action(onApp(list));
  secrets
    .command('rm')
    .description('Remove a secret of <app>.')
    .argument('<app>', 'app name or id')
    .argument('<name>', 'the variable name')
    .action(onApp(remove));
}
