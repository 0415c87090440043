/** @module `edgecourier describe <app>`: everything you may see of a cloud app in one place: settings, functions, endpoints, files, and with FULL_CONTROL its grants. */
import type { Command } from 'commander';
import { guarded, printResult } from '../output.ts';
import type { GrantSummary } from '../sharing.ts';

interface AppDetails {
  id: string;
  name: string;
  description: string;
  access: string;
  owned: boolean;
  status: string;
  /** "folder": published from a synced folder, which alone changes it. */
  source: 'folder' | 'api';
  env: Record<string, string>;
  packageJson: string | null;
  functions: Array<{ name: string; language: string; idempotent: boolean; timeoutMs: number; memoryMb: number; public: boolean }>;
  endpoints: Array<{ method: string; path: string; function: string; public: boolean; response: string; url: string }>;
  updatedAt: string;
}

interface Description {
  app: AppDetails;
  files: Array<{ path: string; size: number; sha256: string }>;
  /** Only for those who may see them: FULL_CONTROL. */
  grants?: GrantSummary[];
}

/** The names of package.json's dependencies; the cloud keeps package.json a JSON object. */
function dependencyNames(packageJson: string | null): string {
  const dependencies = packageJson === null ? {} : ((JSON.parse(packageJson) as { dependencies?: object }).dependencies ?? {});
  return Object.keys(dependencies).join(', ') || 'none';
}

function asText({ app, files, grants }: Description, granteeName: (grantee: string) => string): string {
  const flags = (...named: Array<[boolean, string]>) =>
    named
      .filter(([on]) => on)
      .map(([, word]) => ` (${word})`)
      .join('');
  const lines = [
    `${app.name} (${app.id}): ${app.status}; your access: ${app.access}${app.owned ? ', your own app' : ', shared with you'}`,
    ...(app.description ? [`  ${app.description}`] : []),
    ...(app.source === 'folder' ? ['from a synced folder: change its files there (the API refuses to)'] : []),
    `updated ${app.updatedAt}`,
    `functions: ${app.functions.length === 0 ? 'none' : ''}`,
    ...app.functions.map(
      (fn) => `  ${fn.name}.${fn.language}  ${fn.timeoutMs} ms, ${fn.memoryMb} MB${flags([fn.idempotent, 'idempotent'], [fn.public, 'public'])}`,
    ),
    `endpoints: ${app.endpoints.length === 0 ? 'none' : ''}`,
    ...app.endpoints.map(
      (endpoint) => `  ${endpoint.method} ${endpoint.url} -> ${endpoint.function}${flags([endpoint.public, 'public'], [endpoint.response === 'http', 'http'])}`,
    ),
    `settings: ${Object.keys(app.env).join(', ') || 'none'}`,
    `dependencies: ${dependencyNames(app.packageJson)}`,
    `files: ${files.length}, ${files.reduce((sum, file) => sum + file.size, 0)} bytes`,
  ];
  if (grants) lines.push(`grants: ${grants.map((grant) => `${granteeName(grant.grantee)} ${grant.access}`).join(', ') || 'none'}`);
  return lines.join('\n');
}

export function registerDescribe(program: Command): void {
  program
    .command('describe')
    .description(
      'Describe a cloud app: status, your access, functions with their settings, endpoints with their URLs, settings names, dependencies, files, and (with FULL_CONTROL) its grants.',
    )
    .argument('<app>', 'app name or id: yours, one shared with you, or the id of one from the catalogue')
    .option('--json', 'print { app, files, grants? } as JSON')
    .action(
      guarded(async (name: string, options: { json?: boolean }) => {
        const [{ openApp }, { granteeName }] = await Promise.all([import('../session.ts'), import('../sharing.ts')]);
        const { client, app: found } = await openApp(name);
        const base = `/api/v1/apps/${found.id}`;
        const [app, { files }] = await Promise.all([
          client.request<AppDetails>('GET', base),
          client.request<Pick<Description, 'files'>>('GET', `${base}/files`),
        ]);
        const grants = app.access === 'FULL_CONTROL' ? (await client.request<{ grants: GrantSummary[] }>('GET', `${base}/grants`)).grants : undefined;
        const description: Description = { app, files, ...(grants ? { grants } : {}) };
        printResult(options.json, description, asText(description, granteeName));
      }),
    );
}
