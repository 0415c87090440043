/**
 * Every command of the program, walked from the tree cli/program.ts builds: each says what it does, and each that
 * reports a result has `--json`, but for the exemptions docs/cli.md names, which must be exactly those without it.
 */
import test from 'ava';
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildProgram } from '../../cli/program.ts';
import { packageRoot } from '../../runtime/package-root.ts';

/** Every command under `parent`, by its full name (`secrets list`). */
function walk(parent: Command, prefix = ''): Array<[string, Command]> {
  return parent.commands.flatMap((command) => {
    const name = `${prefix}${command.name()}`;
    return [[name, command] as [string, Command], ...walk(command, `${name} `)];
  });
}

/**
 * Whether the command does something of its own, rather than only grouping subcommands (`files`, `secrets`). Commander
 * keeps no public word for it; the test below fails if the field is ever renamed, rather than passing for no command.
 */
const runsItself = (command: Command) => typeof (command as unknown as { _actionHandler?: unknown })._actionHandler === 'function';

const commands = walk(buildProgram());

/** The commands docs/cli.md exempts from --json: the names in backquotes in its paragraph "Exempt from `--json`". */
async function documentedExemptions(): Promise<string[]> {
  const page = await readFile(join(packageRoot, 'docs', 'cli.md'), 'utf8');
  const start = page.indexOf('Exempt from `--json`');
  if (start < 0) throw new Error('docs/cli.md has no paragraph "Exempt from `--json`"');
  const paragraph = page.slice(start + 'Exempt from `--json`'.length).split('\n\n', 1)[0]!;
  return [...paragraph.matchAll(/`([a-z][a-z ]*)`/g)].map((match) => match[1]!);
}

test('the walk finds the commands, those that run and those that only group others', (t) => {
  const names = commands.map(([name]) => name);
  for (const name of ['apps', 'deploy', 'invoke', 'secrets list', 'cloud operators add', 'couriers ls']) t.true(names.includes(name), name);
  t.true(runsItself(commands.find(([name]) => name === 'apps')![1]));
  t.false(runsItself(commands.find(([name]) => name === 'secrets')![1]));
});

test('every command and every option it shows says what it is for', (t) => {
  for (const [name, command] of commands) {
    t.true(command.description().trim().length > 0, `${name} has no description`);
    for (const option of command.options.filter((option) => !option.hidden)) t.true(option.description.trim().length > 0, `${name} ${option.flags}`);
  }
});

test('every command that runs has --json, but for exactly the exemptions docs/cli.md names', async (t) => {
  const withoutJson = commands
    .filter(([, command]) => runsItself(command) && !command.options.some((option) => option.long === '--json'))
    .map(([name]) => name);
  t.deepEqual(withoutJson.sort(), (await documentedExemptions()).sort());
});
