/** @module `edgecourier versions`, `rollback` and `freeze`: a cloud app's versions listed, one made active again, one kept for ever. */
import type { Command } from 'commander';
import { outcomeOf, versionName, type VersionSummary } from '../app-text.ts';
import { fail, printJson } from '../output.ts';

/** The URL of a version of the app; `version` is a tag, an id or the start of one. */
const versionUrl = (appId: string, version: string) => `/api/v1/apps/${appId}/versions/${encodeURIComponent(version)}`;

/** One line: active mark, short id, tag, time, author, size, dependencies, frozen, message. */
function describe(version: VersionSummary): string {
  const cells = [
    version.active ? '*' : ' ',
    version.id.slice(0, 12),
    version.tag ?? '-',
    version.createdAt.replace('T', ' ').slice(0, 19),
    version.author ?? '-',
    `${version.size} B`,
    `deps ${outcomeOf(version)}`,
    ...(version.frozen ? ['frozen'] : []),
    version.message,
  ];
  return cells.join('  ');
}

/** The logged-in client and the caller's app of that name or id. */
async function clientAndApp(appName: string) {
  const { findApp, loggedInClient } = await import('../session.ts');
  const client = await loggedInClient();
  return { client, app: await findApp(client, appName) };
}

export function registerVersions(program: Command): void {
  program
    .command('versions')
    .description('List the versions of a cloud app <app> (yours, or one shared with you), newest first; * marks the active one, which its endpoints serve.')
    .argument('<app>', 'app name or id')
    .option('--json', 'print JSON instead of text')
    .addHelpText(
      'after',
      [
        '',
        'Every change of an app (a deploy, a file, function, endpoint or setting changed) makes a version named by the',
        'hash of its files; the same files are the same version. An app keeps its 20 newest versions that are not frozen',
        '(the active one always) and its frozen ones. Name a version by its tag, its id, or the first 7 or more digits of it.',
      ].join('\n'),
    )
    .action(async (appName: string, options: { json?: boolean }) => {
      try {
        const { client, app } = await clientAndApp(appName);
        const { versions } = await client.request<{ versions: VersionSummary[] }>('GET', `/api/v1/apps/${app.id}/versions`);
        if (options.json) printJson(versions);
        else process.stdout.write(versions.map(describe).join('\n') + '\n');
      } catch (error) {
        fail(error);
      }
    });
}

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description('Make <version> of your cloud app <app> its active version at once: its endpoints and test-invokes serve it.')
    .argument('<app>', 'app name or id')
    .argument('<version>', 'a tag, a version id, or its first 7 or more digits')
    .option('--json', 'print the version as JSON')
    .addHelpText(
      'after',
      [
        '',
        "The app's files, settings, endpoints and package.json become the version's (its secrets stay as they are), and a",
        'running app is warm on it when the command returns; dependencies npm installed for it before are not installed again.',
      ].join('\n'),
    )
    .action(async (appName: string, version: string, options: { json?: boolean }) => {
      try {
        const { client, app } = await clientAndApp(appName);
        const active = await client.request<VersionSummary>('POST', `${versionUrl(app.id, version)}/activate`);
        if (options.json) return printJson(active);
        process.stdout.write(`app ${app.name} serves version ${versionName(active)} now\n`);
        if (outcomeOf(active) === 'failed') process.stdout.write(`its dependencies failed to install: edgecourier versions ${app.name} --json shows why\n`);
      } catch (error) {
        fail(error);
      }
    });
}

export function registerFreeze(program: Command): void {
  program
    .command('freeze')
    .description('Freeze <version> of your cloud app <app>: it is never deleted, by hand or by retention; --off unfreezes it.')
    .argument('<app>', 'app name or id')
    .argument('<version>', 'a tag, a version id, or its first 7 or more digits')
    .option('--off', 'unfreeze it: it can be deleted again, and retention removes it once 20 newer versions are not frozen (at once if they are)')
    .option('--json', 'print the version as JSON')
    .addHelpText('after', '\nAn app holds at most 20 frozen versions.')
    .action(async (appName: string, version: string, options: { off?: boolean; json?: boolean }) => {
      try {
        const { client, app } = await clientAndApp(appName);
        const changed = await client.request<VersionSummary & { removed?: true }>('PATCH', versionUrl(app.id, version), { frozen: !options.off });
        if (options.json) return printJson(changed);
        const state = changed.frozen ? 'frozen' : changed.removed ? 'not frozen, and removed by retention: 20 newer versions are not frozen' : 'not frozen';
        process.stdout.write(`version ${changed.id.slice(0, 12)} of app ${app.name} is ${state}\n`);
      } catch (error) {
        fail(error);
      }
    });
}
