/**
 * @module Module hooks a worker registers before it imports a TypeScript function. The host compiled every `.ts` file
 * of the app, and the sandbox holds the compiled ES module at the file's own path; a `.js` import that finds no file
 * but a `.ts` beside it means that one, as tsc users write their imports.
 */
import { existsSync } from 'node:fs';
import type { LoadHook, ResolveHook } from 'node:module';
import { fileURLToPath } from 'node:url';

const isTypeScript = (url: URL) => url.protocol === 'file:' && url.pathname.endsWith('.ts');

/** The `.ts` file a relative or absolute `.js` specifier may stand for, when it exists. */
function typeScriptTwin(specifier: string, parentURL: string | undefined): string | undefined {
  if (!parentURL?.startsWith('file:') || !/^(?:\.{0,2}\/|file:).*\.js$/.test(specifier)) return undefined;
  const url = new URL(`${specifier.slice(0, -'.js'.length)}.ts`, parentURL);
  return existsSync(fileURLToPath(url)) ? url.href : undefined;
}

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const twin = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' ? typeScriptTwin(specifier, context.parentURL) : undefined;
    if (twin === undefined) throw error;
    return { url: twin, shortCircuit: true };
  }
};

export const load: LoadHook = (url, context, nextLoad) => nextLoad(url, isTypeScript(new URL(url)) ? { ...context, format: 'module' } : context);
