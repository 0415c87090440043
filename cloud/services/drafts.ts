/**
 * @module Changes to an app's files, made on a copy of its record and checked as a whole, then saved at once or not
 * at all: what each path of an app is, its functions, app.json and package.json as the record holds them, and the caps.
 */
import { EdgeError } from '../../base/errors.ts';
import { describeIssues } from '../../base/zod-issues.ts';
import { defaultOperatorLimits, limitsWithin, parseAppConfig } from '../../runtime/app-config.ts';
import { APP_CAPS } from '../../runtime/app-files.ts';
import { appPathProblem, functionFileOf, type FunctionLanguage } from '../../runtime/app-paths.ts';
import { assertRegistryOnly } from '../../runtime/registry-only.ts';
import { endpointPathSchema, MAX_APP_JSON_BYTES, MAX_CODE_BYTES, packageJsonSchema } from '../app-schemas.ts';
import { renderTree } from '../app-tree.ts';
import type { AppRecord, EndpointRecord } from '../data.ts';
import { newId } from '../ids.ts';
import { assertUsable, MAX_ENDPOINTS_PER_APP } from './endpoints.ts';
import type { VersionNote } from './versioned-apps.ts';

/** What a path of an app is: app.json and package.json are the record's settings, functions its function records, the rest files. */
export type PathKind = { kind: 'app.json' } | { kind: 'package.json' } | { kind: 'function'; name: string; language: FunctionLanguage } | { kind: 'file' };

/**
 * What `path` is in an app; throws INVALID_INPUT for a path no app file can have.
 * @example kindOf('functions/greet.ts') // { kind: 'function', name: 'greet', language: 'ts' }
 */
export function kindOf(path: string): PathKind {
  const problem = appPathProblem(path);
  if (problem) throw new EdgeError('INVALID_INPUT', `${JSON.stringify(path)}: ${problem}`);
  // npm would follow the "resolved" URLs of a lock file: the cloud installs from package.json and the registry alone.
  if (path === 'package-lock.json') throw new EdgeError('INVALID_INPUT', 'package-lock.json is not kept: the cloud installs from package.json alone');
  if (path === 'app.json' || path === 'package.json') return { kind: path };
  const fn = functionFileOf(path);
  return fn ? { kind: 'function', ...fn } : { kind: 'file' };
}

/** A copy of the record that a change may edit freely; the record itself changes only when the change is saved. */
export function draftOf(app: AppRecord): AppRecord {
  return {
    ...app,
    functions: app.functions.map((fn) => ({ ...fn })),
    files: app.files.map((file) => ({ ...file })),
    endpoints: app.endpoints.map((endpoint) => ({ ...endpoint })),
  };
}

/** Text only when the bytes are UTF-8 and encode back to the same bytes, so that what is stored is what was sent. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of a file the record holds as text (functions, app.json, package.json): UTF-8 and at most `maxBytes`. */
export function textOf(path: string, bytes: Uint8Array, maxBytes: number): string {
  if (bytes.byteLength > maxBytes) throw new EdgeError('PAYLOAD_TOO_LARGE', `${path} is ${bytes.byteLength} bytes; it may be at most ${maxBytes}`);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new EdgeError('INVALID_INPUT', `${path} is not UTF-8 text`);
  }
}

/** How many bytes a text file of `kind` may hold. */
export function textCap(kind: PathKind['kind']): number {
  return kind === 'function' ? MAX_CODE_BYTES : MAX_APP_JSON_BYTES;
}

/** package.json as the record keeps it: a JSON object naming registry packages only. */
export async function checkedPackageJson(text: string): Promise<string> {
  const parsed = packageJsonSchema.safeParse(text);
  if (!parsed.success) throw new EdgeError('INVALID_INPUT', describeIssues('package.json', parsed.error));
  await assertRegistryOnly(text);
  return text;
}

/**
 * Makes the draft's description, env settings, network, schedules, function settings and endpoints those of `text`, an app.json: what it
 * leaves out takes its default (no description or settings, default function settings, no endpoints). An endpoint
 * kept at the same method and path keeps its id, and so its URL.
 */
export function applyAppJson(draft: AppRecord, text: string, at: string): void {
  const config = parseAppConfig(text, 'INVALID_INPUT');
  const settings = config.functions ?? {};
  for (const name of Object.keys(settings)) {
    if (!draft.functions.some((fn) => fn.name === name))
      throw new EdgeError('INVALID_INPUT', `app.json: functions.${name}: there is no functions/${name}.js, .mjs, .cjs or .ts`);
  }
  draft.functions = draft.functions.map((fn) => {
    const { timeoutMs, memoryMb, idempotent = false, public: open = false } = settings[fn.name] ?? {};
    // Refused in the words `run` and the courier use for the same app.json.
    limitsWithin(fn.name, { timeoutMs, memoryMb }, defaultOperatorLimits);
    return {
      name: fn.name,
      code: fn.code,
      language: fn.language,
      idempotent,
      public: open,
      ...(timeoutMs ? { timeoutMs } : {}),
      ...(memoryMb ? { memoryMb } : {}),
      updatedAt: at,
    };
  });
  const before = draft.endpoints;
  draft.endpoints = [];
  for (const [i, wanted] of (config.endpoints ?? []).entries()) {
    const path = endpointPathSchema.safeParse(wanted.path);
    if (!path.success) throw new EdgeError('INVALID_INPUT', describeIssues(`app.json: endpoints.${i}.path`, path.error));
    if (!draft.functions.some((fn) => fn.name === wanted.function))
      throw new EdgeError('INVALID_INPUT', `app.json: endpoints.${i}: there is no function "${wanted.function}"`);
    if (draft.endpoints.length >= MAX_ENDPOINTS_PER_APP)
      throw new EdgeError('QUOTA_EXCEEDED', `app.json: an app holds at most ${MAX_ENDPOINTS_PER_APP} endpoints`);
    const fields = { method: wanted.method, path: path.data, function: wanted.function, public: wanted.public ?? false, response: wanted.response ?? 'json' };
    assertUsable(draft, fields);
    const kept = before.find((endpoint) => endpoint.method === fields.method && endpoint.path === fields.path);
    draft.endpoints.push({ id: kept?.id ?? newId('ep'), ...fields } satisfies EndpointRecord);
  }
  for (const [name, schedule] of Object.entries(config.schedules ?? {})) {
    if (!draft.functions.some((fn) => fn.name === schedule.function))
      throw new EdgeError('INVALID_INPUT', `app.json: schedules.${name}.function: there is no function "${schedule.function}"`);
  }
  if (config.schedules && Object.keys(config.schedules).length > 0) draft.schedules = config.schedules;
  else delete draft.schedules;
  draft.description = config.description ?? '';
  draft.env = config.env ?? {};
  if (config.network?.egress) draft.network = { egress: true };
  else delete draft.network;
}

/**
 * Refuses a draft past the runtime's caps on an app (runtime/app-files.ts): how many files, every one of its folder
 * counted (functions, app.json and package.json too), and how many bytes they hold together.
 */
export function assertFits(draft: AppRecord): void {
  const tree = renderTree(draft, 'owner');
  if (tree.length > APP_CAPS.files)
    throw new EdgeError(
      'QUOTA_EXCEEDED',
      `app "${draft.name}" would hold ${tree.length} files; an app holds at most ${APP_CAPS.files}, app.json and functions included`,
    );
  const bytes = tree.reduce((sum, entry) => sum + ('blob' in entry ? entry.blob.size : Buffer.byteLength(entry.text)), 0);
  if (bytes > APP_CAPS.totalBytes)
    throw new EdgeError('QUOTA_EXCEEDED', `app "${draft.name}" would hold ${bytes} bytes of files; an app holds at most ${APP_CAPS.totalBytes} (50 MiB)`);
}

/** Makes the record what the draft is and saves it, with what `note` says of the version it makes; when the save fails the record is as it was. */
export async function commit(
  apps: { save(app: AppRecord, note?: VersionNote): Promise<void> },
  app: AppRecord,
  draft: AppRecord,
  note?: VersionNote,
): Promise<void> {
  const before = { ...app };
  Object.assign(app, draft);
  try {
    await apps.save(app, note);
  } catch (error) {
    Object.assign(app, before);
    throw error;
  }
}
