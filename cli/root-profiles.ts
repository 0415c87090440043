/**
 * @module `edgecourier profile --root`: the profiles a courier keeps of a root's folder apps, read from the state
 * folder it keeps them in (docs/courier.md, "Profiles"), without asking the courier, which may or may not be running.
 */
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../base/errors.ts';
import { defaultStateDir } from '../base/paths.ts';
import { AppProfileBooks } from '../courier/app-profile-books.ts';
import { readProfileFile } from '../courier/profile-file.ts';
import { PROFILES_FILE, rootHome } from '../courier/state-home.ts';
import type { ProfileSummary } from '../runtime/profiles.ts';
import { progress } from './output.ts';
import { profileTable } from './profile-table.ts';

export interface RootProfileQuery {
  root: string;
  /** The courier's --state; its default unless given. */
  state?: string;
  app?: string;
  fn?: string;
}

/** What `--json` prints. */
export interface RootProfiles {
  root: string;
  file: string;
  apps: Array<{ app: string; profiles: ProfileSummary[] }>;
}

/** The root's profiles, the apps by name, each app's versions the most recently called first. */
export async function readRootProfiles(query: RootProfileQuery): Promise<RootProfiles> {
  const root = await realpath(query.root).catch(() => {
    throw new EdgeError('INVALID_INPUT', `the root folder ${query.root} does not exist`);
  });
  const file = join(rootHome(query.state ?? defaultStateDir(), root), PROFILES_FILE);
  const reading = await readProfileFile(file);
  // The courier starts fresh profiles over such a file; so does this reading.
  if (!reading.ok) progress(`${reading.problem}; the courier replaces it with fresh profiles`);
  const books = new AppProfileBooks(reading.ok ? reading.apps : []);
  const apps = (reading.ok ? reading.apps : [])
    .map(({ app }) => app)
    .filter((app) => query.app === undefined || app === query.app)
    .sort()
    .map((app) => ({ app, profiles: books.summaries(app).filter((p) => query.fn === undefined || p.function === query.fn) }))
    .filter(({ profiles }) => profiles.length > 0);
  return { root, file, apps };
}

/** The profiles as tables, one per app, or a line saying why there are none. */
export function rootProfilesText({ root, file, apps }: RootProfiles, query: RootProfileQuery): string {
  if (apps.length === 0) {
    const what = [query.fn && `of function ${query.fn}`, query.app && `of app ${query.app}`].filter(Boolean).join(' ');
    return `no profiles ${what ? `${what} ` : ''}in ${file}: no request of ${root} has run${what ? ' it' : ''} under a courier with this state folder yet`;
  }
  return apps.map(({ app, profiles }) => `${app}\n${profileTable(profiles)}`).join('\n');
}
