/** @module Compiles an app's TypeScript files to ES modules on the host with esbuild: the sandbox has no compiler. */
import type { AppFile } from './app-files.ts';

/**
 * Sets `compiled` on every `.ts` file. A file that does not compile becomes a module that throws the compiler's
 * message when imported, so a function that imports it fails to load with that message, and others are untouched.
 * @returns the compiler's message for each file that did not compile, by path
 */
export async function compileTypeScript(files: readonly AppFile[]): Promise<Map<string, string>> {
  const sources = files.filter((file) => file.path.endsWith('.ts'));
  const failures = new Map<string, string>();
  if (sources.length === 0) return failures;
  // Loaded only for TypeScript: esbuild takes a tenth of a second to load, which an app of JavaScript does without.
  const { transform } = await import('esbuild');
  for (const file of sources) {
    try {
      file.compiled = (await transform(file.text ?? '', { loader: 'ts', format: 'esm', target: 'node20', sourcefile: file.path })).code;
    } catch (error) {
      const message = `${file.path} does not compile: ${(error as Error).message}`;
      failures.set(file.path, message);
      file.compiled = `throw new Error(${JSON.stringify(message)});\n`;
    }
  }
  return failures;
}
