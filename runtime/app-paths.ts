/**
 * @module Which relative paths can name a file of an app, for places that take paths rather than walk a folder (the
 * cloud's file routes, a deploy, a downloaded bundle); app-files.ts holds the caps and the names passed over.
 */
import { functionNamePattern } from './app-config.ts';
import { IGNORED_AT_TOP } from './app-files.ts';

/** The longest relative path of a file, in UTF-8 bytes. */
export const MAX_APP_PATH_BYTES = 256;

/** Files directly under `functions/` with these extensions are functions, named by the rest of the file name. */
export const FUNCTION_LANGUAGES = ['js', 'mjs', 'cjs', 'ts'] as const;
export type FunctionLanguage = (typeof FUNCTION_LANGUAGES)[number];

/** Characters no path may hold: control characters, and `\`, which is a separator on Windows. */
const UNSAFE = /[\u0000-\u001f\u007f\\]/;

/**
 * Why `path` cannot name a file of an app, or undefined when it can: a relative path of plain segments separated by
 * `/`, none empty, `.` or `..`, none a dot name, not under an ignored top-level name, at most MAX_APP_PATH_BYTES bytes.
 * @example appPathProblem('templates/page.html') // undefined
 */
export function appPathProblem(path: string): string | undefined {
  if (path === '') return 'a file path is empty';
  if (Buffer.byteLength(path) > MAX_APP_PATH_BYTES) return `a file path is at most ${MAX_APP_PATH_BYTES} bytes`;
  if (UNSAFE.test(path)) return 'a file path holds no control characters and no "\\" (separate folders with "/")';
  if (path.startsWith('/')) return 'a file path is relative to the app folder: it does not start with "/"';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '')) return 'a file path has no empty segments ("//" or a "/" at the end)';
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'a file path has no "." or ".." segments';
  if (segments.some((segment) => segment.startsWith('.'))) return 'no name in a file path starts with "." (dot files are not part of an app)';
  if (IGNORED_AT_TOP.has(segments[0]!)) return `${segments[0]}/ is not part of an app (${[...IGNORED_AT_TOP].join(', ')} are passed over)`;
  return undefined;
}

/** The function a path names: a file directly under `functions/` with a function extension. */
interface FunctionFile {
  name: string;
  language: FunctionLanguage;
}

/**
 * The function `path` holds, or undefined when it is no function file. A file beside the functions whose name cannot
 * be a function's (`functions/util.test.js`) is a plain file of the app, which the runtime does not list as a function.
 * @example functionFileOf('functions/greet.ts') // { name: 'greet', language: 'ts' }
 */
export function functionFileOf(path: string): FunctionFile | undefined {
  const match = /^functions\/([^/]+)\.([^./]+)$/.exec(path);
  const language = FUNCTION_LANGUAGES.find((candidate) => candidate === match?.[2]);
  if (!match || !language || !functionNamePattern.test(match[1]!)) return undefined;
  return { name: match[1]!, language };
}
