/**
 * @module How the CLI talks: a command's result on stdout, as text for a person or, with its --json option, as one
 * JSON document; progress and errors as plain lines on stderr.
 */
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

/**
 * Rows as aligned columns, two spaces apart, the first row being the header; the last column is not padded, so a
 * long URL or message does not push the others.
 * @example table([['NAME', 'STATUS'], ['shop', 'running']])
 */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** What a function's failure shows a person on stderr: its code and the first line of its message (a stack's is the rest). */
export function functionFailed(error: { code: string; message: string }): void {
  progress(`${error.code}: ${error.message.split('\n', 1)[0]}`);
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
