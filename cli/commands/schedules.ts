/** @module `edgecourier schedules`: a cloud app's schedules, or those of a courier's folder apps (--root), with their next slots and last runs. */
import type { Command } from 'commander';
import type { ScheduleLastRun, ScheduleList, ScheduleListing } from '../../api/schedules.ts';
import { fail, printResult } from '../output.ts';

/** A schedule as either side shows it: the cloud's listing, or a folder app's with its app's name. */
export interface ScheduleRow extends Omit<ScheduleListing, 'lastRun'> {
  app?: string;
  /** A folder app's last run names its result file (`ref`) where the cloud's names an activation. */
  lastRun?: ScheduleLastRun & { ref?: string };
  /** A folder app whose app.json does not load: why its schedules do not run. */
  error?: string;
}

/** One line: where, name, function, timing, next slot, last run and its outcome, skipped slots. */
function describe(row: ScheduleRow): string {
  if (row.error !== undefined) return `${row.app}  its schedules do not run: ${row.error}`;
  const timing = row.every !== undefined ? `every ${row.every}` : `cron "${row.cron}" ${row.timezone ?? 'UTC'}`;
  const last = row.lastRun
    ? `last ${row.lastRun.slot} ${row.lastRun.endedAt === undefined ? 'running or cut off' : (row.lastRun.outcome ?? '')} ${row.lastRun.activationId ?? row.lastRun.ref ?? ''}`.trimEnd()
    : 'never run';
  const cells = [
    ...(row.app ? [row.app] : []),
    row.name,
    row.function,
    timing,
    `next ${row.next ?? '-'}`,
    last,
    ...(row.skipped > 0 ? [`${row.skipped} skipped`] : []),
  ];
  return cells.join('  ');
}

async function cloudRows(appName: string): Promise<ScheduleRow[]> {
  const { findApp, loggedInClient } = await import('../session.ts');
  const client = await loggedInClient();
  const app = await findApp(client, appName);
  return (await client.request<ScheduleList>('GET', `/api/v1/apps/${app.id}/schedules`)).schedules;
}

export function registerSchedules(program: Command): void {
  program
    .command('schedules')
    .description(
      "List the schedules of cloud app <app> (yours, or one shared with you to READ), or with --root those of a courier's folder apps, each with its next slot and last run.",
    )
    .argument('[app]', 'cloud app name or id; leave out with --root')
    .option('--root <dir>', "a courier's synced root: the schedules of its folder apps, read from their app.json and the courier's state folder")
    .option('--state <dir>', "with --root: the courier's state folder (default: $EDGECOURIER_STATE or ~/.local/state/edgecourier)")
    .option('--json', 'print JSON instead of text')
    .addHelpText(
      'after',
      [
        '',
        'Schedules are declared in app.json, "schedules" (docs/writing-apps.md#schedules). A cloud app runs them while it is',
        'started; its runs are activations with trigger "schedule" (edgecourier logs <app>). A courier runs those of its folder',
        'apps and writes each answer to results/<schedule>@<slot>.json; --root shows next slots as they fall, whether or not',
        'a courier runs now.',
      ].join('\n'),
    )
    .action(async (appName: string | undefined, options: { root?: string; state?: string; json?: boolean }) => {
      try {
        if ((appName === undefined) === (options.root === undefined)) {
          const { EdgeError } = await import('../../base/errors.ts');
          throw new EdgeError('INVALID_INPUT', 'name a cloud app, or give --root <dir> for the folder apps of a courier, not both');
        }
        const rows = options.root ? await (await import('../folder-schedules.ts')).folderScheduleRows(options.root, options.state) : await cloudRows(appName!);
        printResult(options.json, rows, rows.length === 0 ? 'no schedules' : rows.map(describe).join('\n'));
      } catch (error) {
        fail(error);
      }
    });
}
