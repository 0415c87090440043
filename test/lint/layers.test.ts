/** @module The layer rules hold: `npm run lint` fails a file that imports a folder above its own, and passes one that imports below. */
import test from 'ava';
import { ESLint } from 'eslint';
import layers from '../../layers.json' with { type: 'json' };

/**
 * The project's lint rules on made-up files: those files are in no TypeScript project, so the type-aware rules
 * (which need one) are left out here; the import rules under test need no types.
 */
const eslint = new ESLint({
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
});
const folders = Object.keys(layers) as Array<keyof typeof layers>;
const below = (folder: keyof typeof layers): readonly string[] => layers[folder];

/** The messages of the layer rule for a file at `path` holding `source`. */
async function violations(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path });
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

test('a file in sync/ that imports runtime/ fails lint, saying which folders it may import', async (t) => {
  const messages = await violations('sync/dropbox/new-file.ts', "import { loadApp } from '../../runtime/app.ts';\nexport const load = loadApp;\n");
  t.is(messages.length, 1);
  t.regex(messages[0]!, /sync\/ may import only base\//);
});

test('every folder may import the folders below it, and no other folder of ours', async (t) => {
  for (const from of folders) {
    for (const to of folders.filter((other) => other !== from)) {
      const allowed = below(from).includes(to);
      const messages = await violations(`${from}/new-file.ts`, `import { x } from '../${to}/thing.ts';\nexport const y = x;\n`);
      t.is(messages.length, allowed ? 0 : 1, `${from}/ importing ${to}/`);
    }
  }
});

test('the Docker client is imported only by docker/ and deploy/', async (t) => {
  for (const from of folders) {
    const messages = await violations(`${from}/new-file.ts`, "import Docker from 'dockerode';\nexport const make = () => new Docker();\n");
    t.is(messages.length, from === 'docker' || from === 'deploy' ? 0 : 1, from);
  }
});

test('the layers have no cycle: each folder is allowed only folders listed before it', (t) => {
  folders.forEach((folder, index) => {
    for (const lower of below(folder)) t.true(folders.indexOf(lower as (typeof folders)[number]) < index, `${folder}/ may import ${lower}/, listed after it`);
  });
});

test('a cloud service that imports HTTP fails lint: Express, the HTTP statuses, the route declarations or a route', async (t) => {
  const imports = [
    "import type { Response } from 'express';",
    "import { httpStatusOf } from '../http-status.ts';",
    "import { route } from '../route.ts';",
    "import { appRoutes } from '../routes/apps.ts';",
  ];
  for (const line of imports) {
    const messages = await violations('cloud/services/new-file.ts', `${line}\n`);
    t.is(messages.length, 1, line);
    t.regex(messages[0] ?? '', /cloud\/services\/ know nothing of HTTP/, line);
  }
});

test('a cloud service is still held to the cloud layer and may import its stores, records and the runtime', async (t) => {
  const [above] = await violations('cloud/services/new-file.ts', "import { x } from '../../cli/thing.ts';\nexport const y = x;\n");
  t.regex(above ?? '', /cloud\/ may import only/);
  const below =
    "import type { AppStore } from '../stores/apps.ts';\nimport type { AppRecord } from '../data.ts';\nimport { loadApp } from '../../runtime/app.ts';\nexport type S = [AppStore, AppRecord, typeof loadApp];\n";
  t.deepEqual(await violations('cloud/services/new-file.ts', below), []);
  t.deepEqual(
    await violations('cloud/routes/new-file.ts', "import type { Response } from 'express';\nexport type R = Response;\n"),
    [],
    'routes may use Express',
  );
});
