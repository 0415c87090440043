/** @module How the CLI talks: results as JSON on stdout, progress and errors as plain lines on stderr. */
import { EdgeError } from '../base/errors.ts';

export function progress(line: string): void {
  process.stderr.write(`edgecourier: ${line}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** A command's result: as JSON when `asJson` (its --json option), else as the lines of `text` for a person. */
export function printResult(asJson: boolean | undefined, value: unknown, text: string): void {
  if (asJson) printJson(value);
  else process.stdout.write(`${text}\n`);
}

/** Reports an error and ends the command: a known error by its code, anything else with its stack. */
export function fail(error: unknown): never {
  if (error instanceof EdgeError) process.stderr.write(`edgecourier: ${error.code}: ${error.message}\n`);
  else process.stderr.write(`edgecourier: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(error instanceof EdgeError && error.code === 'INVALID_INPUT' ? 2 : 1);
}

/** A command's action that reports its failure the CLI's way. */
export const guarded =
  <A extends unknown[]>(action: (...args: A) => Promise<void>) =>
  async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      fail(error);
    }
  };
