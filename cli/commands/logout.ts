/** @module `edgecourier logout`: revokes the saved API token on its cloud, then forgets it on this machine. */
import type { Command } from 'commander';
import { EdgeError } from '../../base/errors.ts';
import { cloudClient } from '../cloud-client.ts';
import { fail, printJson, progress } from '../output.ts';

/** Revokes the token; a token the cloud no longer knows (revoked already, say by a password reset) counts as revoked. */
async function revoke(url: string, token: string): Promise<void> {
  try {
    await cloudClient(url, token).request('DELETE', '/api/v1/sessions/current');
  } catch (error) {
    if (!(error instanceof EdgeError && error.code === 'UNAUTHORIZED')) throw error;
  }
}

export function registerLogout(program: Command): void {
  program
    .command('logout')
    .description('Revoke the API token saved by login on its cloud, and forget it on this machine.')
    .addHelpText(
      'after',
      '\nWhen the cloud cannot be reached, the token is still forgotten here, but stays valid there: revoke it later with DELETE /api/v1/tokens/<id>, or reset the password.',
    )
    .option('--json', 'also print { url, revoked } as JSON: the cloud logged out of (null when no token was saved), and whether it revoked the token')
    .action(async (options: { json?: boolean }) => {
      const { credentialsFile, forgetCredentials, savedCredentials } = await import('../credentials.ts');
      const saved = await savedCredentials();
      if (!saved) {
        progress(`not logged in: there is no saved token in ${credentialsFile()}`);
        if (options.json) printJson({ url: null, revoked: false });
        return;
      }
      // Forgotten locally whatever the cloud says: the user asked for this machine to hold no token.
      const error = await revoke(saved.url, saved.token).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      await forgetCredentials();
      if (options.json) printJson({ url: saved.url, revoked: error === undefined });
      if (error === undefined) return progress(`logged out of ${saved.url}: the token is revoked and forgotten`);
      progress(
        `the token is forgotten on this machine, but could not be revoked on ${saved.url}, where it stays valid until revoked (DELETE /api/v1/tokens/<id>) or the password is reset`,
      );
      fail(error);
    });
}
