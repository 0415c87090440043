/** @module The one place that picks a sync back end, with credentials from the environment or a credentials file. */
import { z } from 'zod';
import { EdgeError } from '../base/errors.ts';
import { readPrivateFile } from '../base/private-file.ts';
import { describeIssues } from '../base/zod-issues.ts';
import type { SyncBackend } from './backend.ts';

export type BackendKind = SyncBackend['kind'];

/** A credentials file holds the same names as the environment, e.g. { "DROPBOX_REFRESH_TOKEN": "…", "DROPBOX_APP_KEY": "…" }. */
const credentialsSchema = z.record(z.string().regex(/^(DROPBOX|ONEDRIVE)_[A-Z_]+$/, 'names are DROPBOX_* or ONEDRIVE_* variables'), z.string());

/** Reads a credentials file, refusing one that other users can read: it holds tokens. */
export async function readCredentialsFile(path: string): Promise<Record<string, string>> {
  const text = await readPrivateFile(path, 'tokens');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EdgeError('INVALID_INPUT', `${path} is not valid JSON`);
  }
  const parsed = credentialsSchema.safeParse(json);
  if (!parsed.success) throw new EdgeError('INVALID_INPUT', describeIssues(path, parsed.error));
  return parsed.data;
}

/**
 * A back end for the folder `rootPath` of the service `kind`; `credentials` (from a file) take precedence over the environment.
 * Only the chosen service's SDK is loaded: each holds several MB that a courier of the other, or of a local folder, does without.
 * @example const backend = await createBackend('dropbox', '/edge', (line) => logger.info(line))
 */
export async function createBackend(
  kind: BackendKind,
  rootPath: string,
  log: (line: string) => void,
  credentials: Record<string, string> = {},
): Promise<SyncBackend> {
  const env = { ...process.env, ...credentials };
  if (kind === 'dropbox') return (await import('./dropbox/dropbox-backend.ts')).dropboxBackendFromEnv(rootPath, { log }, env);
  return (await import('./onedrive/onedrive-backend.ts')).oneDriveBackendFromEnv(rootPath, { log, env });
}
