/** @module `edgecourier deploy <appDir>`: makes a cloud app the folder app, all its files at once: functions, settings (app.json "env" too), endpoints, package.json and every other file. */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { EdgeError } from '../../base/errors.ts';
import type { AppFile } from '../../runtime/app-files.ts';
import type { LoadedApp } from '../../runtime/app.ts';
import { endpointText, outcomeOf, versionName, type VersionSummary } from '../app-text.ts';
import type { CloudClient } from '../cloud-client.ts';
import { fail, printResult, progress } from '../output.ts';
import type { AppSummary } from '../session.ts';

interface DeployOptions {
  name?: string;
  app?: string;
  start?: boolean;
  tag?: string;
  message?: string;
  json?: boolean;
}

/** What a deploy made, for a person: the app and its state, the version it serves with its tag, its endpoints and how its dependencies installed. */
function asText(app: AppSummary, version: VersionSummary | undefined): string {
  const outcome = version ? outcomeOf(version) : 'none';
  const dependencies = outcome === 'unknown' ? 'not installed yet (installed when the app first loads)' : outcome;
  return [
    `app ${app.name} (${app.id}) is ${app.status}${version ? `, serving version ${versionName(version)}` : ''}`,
    `functions: ${app.functions.map((fn) => fn.name).join(', ') || 'none'}`,
    app.endpoints.length === 0 ? 'endpoints: none' : 'endpoints:',
    ...app.endpoints.map((endpoint) => `  ${endpointText(endpoint)} -> ${endpoint.function}`),
    `dependencies: ${dependencies}`,
  ].join('\n');
}

/**
 * The files a deploy sends: the app's files as the runtime finds them (within its caps, the ignored names left out),
 * but package-lock.json, which the cloud does not keep; each path one the cloud takes.
 */
async function filesToSend(app: LoadedApp): Promise<AppFile[]> {
  const { appPathProblem } = await import('../../runtime/app-paths.ts');
  const files = app.files.filter((file) => file.path !== 'package-lock.json');
  if (files.length < app.files.length) progress('package-lock.json is not sent: the cloud installs from package.json alone');
  for (const file of files) {
    const problem = appPathProblem(file.path);
    if (problem) throw new EdgeError('INVALID_INPUT', `${file.path}: ${problem}`);
  }
  return files;
}

/** Uploads the bytes the cloud does not hold for this app yet; an unchanged file is named, not sent again. */
async function uploadMissing(client: CloudClient, existing: AppSummary | undefined, files: AppFile[]): Promise<void> {
  const held = new Set<string>();
  if (existing) {
    const { files: stored } = await client.request<{ files: Array<{ sha256: string }> }>('GET', `/api/v1/apps/${existing.id}/files`);
    for (const file of stored) held.add(file.sha256);
  }
  const missing = [...new Map(files.filter((file) => !held.has(file.sha256)).map((file) => [file.sha256, file])).values()];
  const bytes = missing.reduce((sum, file) => sum + file.size, 0);
  progress(`uploading ${missing.length} of ${files.length} files (${bytes} bytes)`);
  for (const file of missing) await client.putBytes(`/api/v1/uploads/${file.sha256}`, await readFile(file.hostPath));
}

/**
 * Pins the folder to the version the cloud made of it (runtime/version-pin.ts): the cloud renders app.json from its
 * settings, so the folder's own files hash to another tree, and an edge run of them (`run --report`) would profile
 * versions the cloud never ran. A folder that cannot be written only loses that.
 */
async function pinToCloud(app: LoadedApp, tree: string): Promise<void> {
  const [{ treeHash }, { writeVersionPin }] = await Promise.all([import('../../runtime/app-files.ts'), import('../../runtime/version-pin.ts')]);
  await writeVersionPin(app.dir, { tree, shown: treeHash(app.files) }).catch((error: unknown) =>
    progress(`warning: edge runs of ${app.dir} will not be versioned as the cloud's: ${error instanceof Error ? error.message : String(error)}`),
  );
}

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description(
      'Make a cloud app the app folder: its functions with their app.json settings, app.json "endpoints", package.json and every other file (templates, data, helper modules, assets).',
    )
    .argument('<appDir>', 'the app folder')
    .option('--name <name>', 'the name of your cloud app (default: the folder name)')
    .option('--app <app>', 'deploy to this app, by name or id: one shared with you that you may change (WRITE), or one of yours')
    .option('--start', 'start the app after deploying (a running app is restarted anyway)')
    .option('--tag <tag>', "name the version the deploy makes, e.g. 1.2.0 (unique among the app's versions)")
    .option('-m, --message <text>', 'say what the version changes (default: the cloud lists the files changed)')
    .option('--json', 'print JSON: { id, name, status, version, tag, dependencies, functions, endpoints }')
    .addHelpText(
      'after',
      [
        '',
        'Endpoints come from app.json: "endpoints": [{ "method": "POST", "path": "/greet", "function": "greet", "public": true }].',
        'All or nothing: the cloud app becomes exactly the folder (what the folder no longer has is removed), or, when',
        'anything is refused, stays as it was. Not sent: node_modules/, results/ and requests/ at the top, names starting',
        'with "." anywhere, and package-lock.json. At most 2,000 files of 50 MiB together, 10 MiB each.',
        'Secrets are never sent: set them with `edgecourier secrets set <app> <NAME>`.',
        'Each deploy that changes anything makes a version (`edgecourier versions <app>`); deploying the same files again',
        'makes none, and with --tag names the version they are.',
      ].join('\n'),
    )
    .action(async (appDir: string, options: DeployOptions) => {
      try {
        if (options.app !== undefined && options.name !== undefined) throw new EdgeError('INVALID_INPUT', '--app and --name both name the app: give one');
        const [{ loadApp }, { assertRegistryOnly }, { findApp, loggedInClient }] = await Promise.all([
          import('../../runtime/app.ts'),
          import('../../runtime/registry-only.ts'),
          import('../session.ts'),
        ]);
        // Checked here first, so a mistake is said before anything is sent: app.json, and registry-only dependencies
        // (local packages live beside the app folder, which is not sent).
        const app = await loadApp(appDir, { dependencyKey: async () => '' });
        if (app.dependencies) await assertRegistryOnly(app.dependencies.packageJson);
        const files = await filesToSend(app);
        const client = await loggedInClient();
        const target = options.app === undefined ? undefined : await findApp(client, options.app);
        const name = target?.name ?? options.name ?? basename(app.dir);
        const existing =
          target ?? (await client.request<{ apps: AppSummary[] }>('GET', '/api/v1/apps')).apps.find((candidate) => candidate.owned && candidate.name === name);
        await uploadMissing(client, existing, files);
        progress(`${existing ? 'replacing' : 'creating'} app ${name}`);
        const named = target ? { appId: target.id } : { name };
        let cloud = await client.request<AppSummary>('POST', '/api/v1/deploys', {
          ...named,
          files: files.map(({ path, sha256 }) => ({ path, sha256 })),
          ...(options.tag !== undefined && { tag: options.tag }),
          ...(options.message !== undefined && { message: options.message }),
        });
        if (options.start || cloud.status === 'running') {
          progress(`starting ${name}`);
          const { startApp } = await import('../app-start.ts');
          cloud = await startApp(client, cloud);
        }
        if (cloud.activeVersion) await pinToCloud(app, cloud.activeVersion);
        const version = cloud.activeVersion
          ? await client.request<VersionSummary>('GET', `/api/v1/apps/${cloud.id}/versions/${cloud.activeVersion}`)
          : undefined;
        const deployed = {
          id: cloud.id,
          name: cloud.name,
          status: cloud.status,
          version: cloud.activeVersion,
          tag: version?.tag ?? null,
          dependencies: version ? outcomeOf(version) : 'none',
          functions: cloud.functions.map((fn) => fn.name),
          endpoints: cloud.endpoints,
        };
        printResult(options.json, deployed, asText(cloud, version));
      } catch (error) {
        fail(error);
      }
    });
}
