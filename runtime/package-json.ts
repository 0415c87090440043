/** @module Reads package.json and package-lock.json text into checked objects, and makes the error every dependency step throws. */
import { EdgeError } from '../base/errors.ts';

export type JsonObject = Record<string, unknown>;

export const INSTALLED_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;
const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/i;

/** The error of every dependency step, so callers see one code whatever went wrong. */
export function failure(message: string, cause?: unknown): EdgeError {
  return new EdgeError('DEPENDENCY_INSTALL_FAILED', message, cause === undefined ? undefined : { cause });
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `text` parsed as a JSON object; `file` and `appDir` name it in the error. */
export function parseObject(text: string, file: string, appDir: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw failure(`${file} in ${appDir} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw failure(`${file} in ${appDir} must be a JSON object`);
  return value;
}

/** One dependency field of a package.json, checked to map valid package names to string specs. */
export function dependencyMap(pkg: JsonObject, field: string, file: string): Record<string, string> | undefined {
  const map = pkg[field];
  if (map === undefined) return undefined;
  if (!isObject(map)) throw failure(`"${field}" in ${file} must be an object mapping package names to version strings`);
  for (const [name, spec] of Object.entries(map)) {
    if (!PACKAGE_NAME.test(name)) throw failure(`"${field}" in ${file}: "${name}" is not a valid package name`);
    if (typeof spec !== 'string') throw failure(`"${field}" in ${file}: the version of "${name}" must be a string`);
  }
  return map as Record<string, string>;
}
