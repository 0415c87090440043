/**
 * @module The shapes of an app's parts where they enter the cloud, declared once: the routes parse request bodies with
 * them, and the file and deploy services parse the same parts out of an app's app.json and package.json.
 */
import { z } from 'zod';
import { APP_CAPS } from '../runtime/app-files.ts';
import { appPathProblem } from '../runtime/app-paths.ts';

export const appNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'an app name starts with a letter or digit and holds only letters, digits, - and _ (at most 64)');

/** package.json stays in the database's JSON (code does not): a real one is a few KiB. */
export const MAX_PACKAGE_JSON_BYTES = 64 * 1024;

/** The text of package.json; its specs are checked by the app service, and whether they install when the app starts. */
export const packageJsonSchema = z
  .string()
  .refine((text) => Buffer.byteLength(text) <= MAX_PACKAGE_JSON_BYTES, `packageJson must be at most ${MAX_PACKAGE_JSON_BYTES} bytes`)
  .refine((text) => {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    } catch {
      return false;
    }
  }, 'packageJson must be the text of a JSON object, e.g. "{\\"dependencies\\": {}}"');

/** The largest app.json the cloud reads: it holds settings, and an app's hundred functions and endpoints fit in a few KiB. */
export const MAX_APP_JSON_BYTES = 64 * 1024;

/** The largest function file: every function is read, compiled and held in memory at each change of its app. */
export const MAX_CODE_BYTES = 1024 * 1024;

/** Plain segments only: clients rewrite "." and ".." segments, so an endpoint at such a path could never be reached. */
export const endpointPathSchema = z
  .string()
  .max(200)
  .regex(
    /^\/(?:[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*)?$/,
    'a path starts with "/" and its segments hold only letters, digits and . _ ~ -, e.g. "/orders/list"',
  )
  .refine((path) => path.split('/').every((segment) => segment !== '.' && segment !== '..'), 'a path has no "." or ".." segments');

/** A path of an app's file: runtime/app-paths.ts says which are allowed. */
export const appFilePathSchema = z.string().superRefine((path, context) => {
  const problem = appPathProblem(path);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hash is 64 lowercase hexadecimal digits');

/** Every file of a deploy, each named by its path and the SHA-256 of its bytes (uploaded, or in the app already). */
export const deployFilesSchema = z.array(z.strictObject({ path: appFilePathSchema, sha256: sha256Schema })).max(APP_CAPS.files);

/** A version's tag: a name such as "1.2.0", which cannot be mistaken for the start of a version's id. */
export const versionTagSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a tag starts with a letter or digit and holds only letters, digits, ., - and _ (at most 64), e.g. "1.2.0"')
  .refine((tag) => !/^[0-9a-f]{7,}$/.test(tag), 'a tag of 7 or more hexadecimal digits would read as a version id');

/** How a path names a version: its tag, its id, or the start of its id (7 hexadecimal digits at least). */
export const versionRefSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a version is named by its tag or (the start of) its id');
