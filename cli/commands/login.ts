/** @module `edgecourier signup` and `edgecourier login`: an account on a cloud, and an API token saved for the other commands. */
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { cloudClient } from '../cloud-client.ts';
import { fail, printJson, progress } from '../output.ts';
import { readPassword } from '../password.ts';

interface AccountOptions {
  url: string;
  email: string;
  json?: boolean;
}

const defaultUrl = process.env.EDGECOURIER_URL ?? 'http://localhost:8080';

/** Logs in, makes an API token for this machine (it outlives the 30-day session) and saves it. */
async function logIn(options: AccountOptions, password: string): Promise<void> {
  const client = cloudClient(options.url);
  const session = await client.request<{ token: string }>('POST', '/api/v1/sessions', { email: options.email, password });
  const authed = cloudClient(options.url, session.token);
  const { token } = await authed.request<{ token: string }>('POST', '/api/v1/tokens', { name: `edgecourier CLI on ${hostname()}` });
  await authed.request('DELETE', '/api/v1/sessions/current');
  const { saveCredentials } = await import('../credentials.ts');
  const file = await saveCredentials({ url: client.url, token, email: options.email });
  progress(`logged in to ${client.url} as ${options.email}; token saved in ${file}`);
  if (options.json) printJson({ url: client.url, email: options.email, credentials: file });
}

/** signup and login take the same options and differ only in what they do with them. */
function accountCommand(program: Command, name: string, description: string, act: (options: AccountOptions) => Promise<void>): void {
  program
    .command(name)
    .description(description)
    .requiredOption('--email <address>', 'your email address')
    .option('--url <url>', 'the cloud service', defaultUrl)
    .option('--json', 'also print { url, email, credentials } as JSON: the cloud, the account, and the file holding the token (never the token)')
    .addHelpText(
      'after',
      '\nThe password is read from EDGECOURIER_PASSWORD, from stdin when piped, or asked for.\nEDGECOURIER_URL and EDGECOURIER_TOKEN, when both set, are used instead of the saved token.',
    )
    .action(async (options: AccountOptions) => {
      try {
        await act(options);
      } catch (error) {
        fail(error);
      }
    });
}

export function registerLogin(program: Command): void {
  accountCommand(program, 'signup', 'Create an account on a cloud service, then log in.', async (options) => {
    const password = await readPassword('New password (8 to 72 characters, hard to guess: three or four unrelated words work well): ');
    await cloudClient(options.url).request('POST', '/api/v1/accounts', { email: options.email, password });
    progress(`account ${options.email} created`);
    await logIn(options, password);
  });
  accountCommand(program, 'login', 'Log in to a cloud service and save an API token for the other commands.', async (options) => {
    await logIn(options, await readPassword());
  });
}
