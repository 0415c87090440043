/** @module `--egress-allow`, for the commands that run services: ranges that sandboxes with egress may reach although private. */
import { InvalidArgumentError, Option } from 'commander';
import { EdgeError } from '../base/errors.ts';
import { parseAllowance } from '../docker/egress-policy.ts';

function collectAllowance(value: string, previous: string[] | undefined): string[] {
  try {
    return [...(previous ?? []), parseAllowance(value)];
  } catch (error) {
    throw new InvalidArgumentError(error instanceof EdgeError ? error.message : String(error));
  }
}

/** The option, repeatable; the commands pass what it collects to createExecutor as `egressAllow`. */
export const egressAllowOption = () =>
  new Option(
    '--egress-allow <range>',
    'let sandboxes of apps that declare network egress reach this IPv4 address or range although it is private or link-local, e.g. 10.1.0.0/16 (repeat for more; docs/sandbox.md#network)',
  ).argParser(collectAllowance);
