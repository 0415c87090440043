/** @module The schedules of a courier's folder apps as `edgecourier schedules --root` shows them: declared in each app's app.json, their last runs from the courier's ledger. */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultStateDir } from '../base/paths.ts';
import { EdgeError } from '../base/errors.ts';
import { rootHome } from '../courier/state-home.ts';
import { readScheduleLedger, scheduleLedgerPath } from '../courier/schedule-ledger.ts';
import { parseAppConfig } from '../runtime/app-config.ts';
import { slotsOf } from '../runtime/schedule.ts';
import type { ScheduleRow } from './commands/schedules.ts';

/** The app folders of the root (those with a functions/ folder), sorted by name. */
async function appsOf(root: string): Promise<string[]> {
  const names = (await readdir(root)).sort();
  const apps = await Promise.all(
    names.map(async (name) => ((await stat(join(root, name, 'functions')).catch(() => undefined))?.isDirectory() ? name : undefined)),
  );
  return apps.filter((name) => name !== undefined);
}

/**
 * A row per schedule of each folder app of `root`, and one per app whose app.json does not load.
 * @example await folderScheduleRows('~/Dropbox/edge')
 */
export async function folderScheduleRows(root: string, stateDir = defaultStateDir()): Promise<ScheduleRow[]> {
  const real = await realpath(root).catch(() => {
    throw new EdgeError('INVALID_INPUT', `the root folder ${root} does not exist`);
  });
  const ledger = await readScheduleLedger(scheduleLedgerPath(rootHome(stateDir, real)));
  const now = Date.now();
  const rows: ScheduleRow[] = [];
  for (const app of await appsOf(real)) {
    const text = await readFile(join(real, app, 'app.json'), 'utf8').catch(() => '{}');
    let schedules;
    try {
      schedules = parseAppConfig(text, 'INVALID_APP').schedules ?? {};
    } catch (error) {
      rows.push({ app, name: '-', function: '-', skipped: 0, error: (error as Error).message });
      continue;
    }
    for (const [name, schedule] of Object.entries(schedules)) {
      const record = ledger[app]?.[name];
      const next = slotsOf(schedule).next(now);
      rows.push({
        app,
        name,
        function: schedule.function,
        ...(schedule.every !== undefined ? { every: schedule.every } : { cron: schedule.cron, timezone: schedule.timezone ?? 'UTC' }),
        ...(next !== undefined && { next: new Date(next).toISOString() }),
        skipped: record?.skipped ?? 0,
        ...(record?.lastRun && { lastRun: record.lastRun }),
      });
    }
  }
  return rows;
}
