/**
 * @module The edgecourier program: every subcommand, one per file under cli/commands, registered in one list. Each file
 * declares its options and help at once and imports its implementation in its action, so that `--help`, or any one
 * command, loads only what it uses (the build puts each such import in its own chunk).
 */
import { Command } from 'commander';
import { registerActivation } from './commands/activation.ts';
import { registerApps } from './commands/apps.ts';
import { registerCatalog } from './commands/catalog.ts';
import { registerCloud } from './commands/cloud.ts';
import { registerCourier } from './commands/courier.ts';
import { registerCouriers } from './commands/couriers.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerDescribe } from './commands/describe.ts';
import { registerFiles } from './commands/files.ts';
import { registerGrants } from './commands/grants.ts';
import { registerImages } from './commands/images.ts';
import { registerInvoke } from './commands/invoke.ts';
import { registerLogin } from './commands/login.ts';
import { registerLogout } from './commands/logout.ts';
import { registerLogs } from './commands/logs.ts';
import { registerProfile } from './commands/profile.ts';
import { registerPull } from './commands/pull.ts';
import { registerRm } from './commands/rm.ts';
import { registerRun } from './commands/run.ts';
import { registerSchedules } from './commands/schedules.ts';
import { registerSecrets } from './commands/secrets.ts';
import { registerSetup } from './commands/setup.ts';
import { registerShare } from './commands/share.ts';
import { registerStart } from './commands/start.ts';
import { registerStop } from './commands/stop.ts';
import { registerUnshare } from './commands/unshare.ts';
import { registerWhoami } from './commands/whoami.ts';
import { registerFreeze, registerRollback, registerVersions } from './commands/versions.ts';

/** The whole command tree, ready to parse; tests walk it to hold every command to the CLI's rules. */
export function buildProgram(): Command {
  const program = new Command('edgecourier')
    .description('Run functions in warm, sandboxed Docker containers, triggered by files in a synced folder or by HTTP.')
    .showHelpAfterError('(run with --help for usage)')
    // An option belongs to the command it follows: `cloud operators add x --data d` gives --data to `add`, not `cloud`.
    .enablePositionalOptions();

  for (const register of [
    registerStart,
    registerSetup,
    registerImages,
    registerRun,
    registerCourier,
    registerCouriers,
    registerCloud,
    registerLogin,
    registerLogout,
    registerWhoami,
    registerApps,
    registerDescribe,
    registerDeploy,
    registerStop,
    registerRm,
    registerFiles,
    registerInvoke,
    registerLogs,
    registerActivation,
    registerProfile,
    registerPull,
    registerVersions,
    registerRollback,
    registerFreeze,
    registerSchedules,
    registerSecrets,
    registerShare,
    registerUnshare,
    registerGrants,
    registerCatalog,
  ]) {
    register(program);
  }
  return program;
}
