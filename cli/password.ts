/** @module Reads a password or a secret for the CLI without echoing it: from stdin when piped, or a prompt (a password also from EDGECOURIER_PASSWORD). */
import { createInterface } from 'node:readline';
import { EdgeError } from '../base/errors.ts';

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}

function prompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    // Echo nothing of what is typed after the question itself.
    (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = (text: string) => {
      if (text.startsWith(question)) process.stderr.write(question);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

/** What is typed at a prompt that shows none of it, or all of stdin when piped, less one final newline. */
export function readQuietly(question: string): Promise<string> {
  return process.stdin.isTTY ? prompt(question) : readStdin();
}

export async function readPassword(question = 'Password: '): Promise<string> {
  const password = process.env.EDGECOURIER_PASSWORD ?? (await readQuietly(question));
  if (!password) throw new EdgeError('INVALID_INPUT', 'no password given: type it at the prompt, pipe it to stdin, or set EDGECOURIER_PASSWORD');
  return password;
}
