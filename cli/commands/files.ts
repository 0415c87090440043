/** @module `edgecourier files ls|get|put|rm`: one file at a time of a cloud app, by its path in the app folder. */
import type { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { guarded, printJson, printResult, progress, table } from '../output.ts';

/** A file of an app as the cloud lists it. */
interface FileSummary {
  path: string;
  size: number;
  sha256: string;
}

/** The URL of a file of the app: its path is one URL segment, `/` sent as `%2F`. */
const fileUrl = (appId: string, path: string) => `/api/v1/apps/${appId}/files/${encodeURIComponent(path)}`;

async function clientAndApp(appName: string) {
  const { openApp } = await import('../session.ts');
  return openApp(appName);
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function registerFiles(program: Command): void {
  const files = program
    .command('files')
    .description("Read and change a cloud app's files one at a time: templates, data, helper modules, assets, and its functions, app.json and package.json.")
    .addHelpText(
      'after',
      [
        '',
        'Paths are relative to the app folder, e.g. templates/page.html. A function is its file, functions/<name>.js|.mjs|.ts;',
        'app.json holds the description, function settings and endpoints; package.json the dependencies.',
        'Not allowed: names starting with "." and node_modules/, results/ and requests/ at the top. A file holds at most',
        '10 MiB, an app 2,000 files of 50 MiB together. `edgecourier deploy` sends a whole folder at once.',
      ].join('\n'),
    );

  files
    .command('ls')
    .description("List the app's files with their sizes and SHA-256 hashes.")
    .argument('<app>', 'app name or id')
    .option('--json', 'print JSON: [{ path, size, sha256 }]')
    .action(
      guarded(async (appName: string, options: { json?: boolean }) => {
        const { client, app } = await clientAndApp(appName);
        const { files } = await client.request<{ files: FileSummary[] }>('GET', `/api/v1/apps/${app.id}/files`);
        const rows = [['PATH', 'BYTES', 'SHA-256'], ...files.map((file) => [file.path, String(file.size), file.sha256])];
        printResult(options.json, files, files.length === 0 ? `app ${app.name} has no files` : table(rows));
      }),
    );

  files
    .command('get')
    .description('Download a file: into <local>, or to stdout.')
    .argument('<app>', 'app name or id')
    .argument('<path>', 'the file in the app, e.g. templates/page.html')
    .argument('[local]', 'where to write it (default: stdout)')
    .action(
      guarded(async (appName: string, path: string, local: string | undefined) => {
        const { client, app } = await clientAndApp(appName);
        const bytes = await client.download(fileUrl(app.id, path));
        if (local === undefined) process.stdout.write(bytes);
        else await writeFile(local, bytes);
      }),
    );

  files
    .command('put')
    .description('Create or replace a file with the bytes of <local>, or of stdin; a running app uses it from its next call.')
    .argument('<app>', 'app name or id')
    .argument('<path>', 'the file in the app, e.g. templates/page.html')
    .argument('[local]', 'the file to send (default: stdin)')
    .option('--json', 'print the file as JSON: { path, size, sha256 }')
    .action(
      guarded(async (appName: string, path: string, local: string | undefined, options: { json?: boolean }) => {
        const { client, app } = await clientAndApp(appName);
        const bytes = local === undefined ? await readStdin() : await readFile(local);
        const file = await client.putBytes<FileSummary>(fileUrl(app.id, path), bytes);
        printResult(options.json, file, `wrote ${file.path} of app ${app.name}: ${file.size} bytes, SHA-256 ${file.sha256}`);
      }),
    );

  files
    .command('rm')
    .description('Delete a file (app.json cannot be deleted; a function no endpoint calls can).')
    .argument('<app>', 'app name or id')
    .argument('<path>', 'the file in the app')
    .option('--json', 'also print { app, path, deleted } as JSON')
    .action(
      guarded(async (appName: string, path: string, options: { json?: boolean }) => {
        const { client, app } = await clientAndApp(appName);
        await client.request('DELETE', fileUrl(app.id, path));
        progress(`deleted ${path} of ${app.name}`);
        if (options.json) printJson({ app: app.id, path, deleted: true });
      }),
    );
}
