/**
 * @module An app's secrets in a file of their own, outside the app folder: `{ "NAME": "value" }`, readable by its
 * owner alone. The courier keeps one per folder app; `edgecourier run --secrets` takes one.
 */
import { readFile, stat } from 'node:fs/promises';
import { EdgeError } from '../base/errors.ts';
import { describeIssues } from '../base/zod-issues.ts';
import { envLimits, envSchema, type AppEnv } from './app-env.ts';

/** Room for the largest set of secrets, written out as JSON with escapes and indentation. */
const MAX_FILE_BYTES = 4 * envLimits.totalBytes;

/**
 * The secrets in `path`; undefined when there is no such file and `optional`. A file that others may read, that
 * is not a JSON object of names to strings within the caps, or that cannot be read is INVALID_APP, said plainly.
 * @example const secrets = await readSecretsFile('/home/ada/.local/state/edgecourier/secrets/shop.json', { optional: true })
 */
export async function readSecretsFile(path: string, options: { optional?: boolean } = {}): Promise<AppEnv | undefined> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' && options.optional) return undefined;
    throw new EdgeError('INVALID_APP', `the secrets file ${path} cannot be read (${error.code ?? error.message})`);
  });
  if (!info) return undefined;
  if (!info.isFile()) throw new EdgeError('INVALID_APP', `the secrets file ${path} is not a regular file`);
  if ((info.mode & 0o077) !== 0) {
    throw new EdgeError('INVALID_APP', `the secrets file ${path} may be read by other users, so it is not used; run: chmod 600 ${path}`);
  }
  if (info.size > MAX_FILE_BYTES) throw new EdgeError('INVALID_APP', `the secrets file ${path} is larger than ${MAX_FILE_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    // The parser's message quotes the text around the fault, which is a secret.
    const why = error instanceof SyntaxError ? 'it is not valid JSON' : `it cannot be read (${(error as NodeJS.ErrnoException).code})`;
    throw new EdgeError('INVALID_APP', `the secrets file ${path} is not usable: ${why}; it holds { "NAME": "value", ... }`);
  }
  const parsed = envSchema.safeParse(json);
  if (!parsed.success) throw new EdgeError('INVALID_APP', describeIssues(`the secrets file ${path}`, parsed.error));
  return parsed.data;
}
