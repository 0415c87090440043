/** @module How the CLI talks: results as JSON on stdout, progress and errors as plain lines on stderr. */
import { EdgeError } from '../base/errors.ts';

export function progress(line: string): void {
  process.stderr.write(`edgecourier: ${line}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Reports an error and ends the command: a known error by its code, anything else with its stack. */
export function fail(error: unknown): never {
  if (error instanceof EdgeError) process.stderr.write(`edgecourier: ${error.code}: ${error.message}\n`);
  else process.stderr.write(`edgecourier: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(error instanceof EdgeError && error.code === 'INVALID_INPUT' ? 2 : 1);
}
