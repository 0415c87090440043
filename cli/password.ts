/** @module Reads a password for the CLI without echoing it: from EDGECOURIER_PASSWORD, from stdin when piped, or a prompt. */
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

export async function readPassword(question = 'Password: '): Promise<string> {
  const password = process.env.EDGECOURIER_PASSWORD ?? (process.stdin.isTTY ? await prompt(question) : await readStdin());
  if (!password) throw new EdgeError('INVALID_INPUT', 'no password given: type it at the prompt, pipe it to stdin, or set EDGECOURIER_PASSWORD');
  return password;
}
