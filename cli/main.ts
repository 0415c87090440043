/** @module The edgecourier command line: one subcommand per file under cli/commands, wired here. */
import { Command } from 'commander';
import { registerCourier } from './commands/courier.ts';
import { registerRun } from './commands/run.ts';
import { registerSetup } from './commands/setup.ts';

const program = new Command('edgecourier')
  .description('Run functions in warm, sandboxed Docker containers, triggered by files in a synced folder or by HTTP.')
  .showHelpAfterError('(run with --help for usage)');

registerSetup(program);
registerRun(program);
registerCourier(program);

await program.parseAsync(process.argv);
