/**
 * @module OpenWhisk's single-file actions: a file that only declares `function main(params)` and exports nothing,
 * which OpenWhisk evaluates and calls by name. The sandbox holds such a file with `main` exported, so it runs unchanged.
 */
import type { AppFile } from './app-files.ts';

/** Any sign that the file is a module of its own kind: an ES import or export, or a CommonJS export. */
const moduleSyntax = /^\s*(?:import|export)\b|\bmodule\.exports\b|\bexports\s*(?:\.|\[)/m;
const declaresMain = /^(?:async\s+)?function\s*\*?\s*main\s*\(|^(?:const|let|var)\s+main\s*=/m;

/**
 * Sets `compiled` on each function file written as an OpenWhisk single-file action: its source with one line
 * added at the end (so line numbers in stacks stay the same), in the form the file loads as: `export default` for
 * an ES module (`.mjs`, or `.js` in a package of "type": "module"), `module.exports` otherwise.
 */
export function exposeOpenWhiskMain(functionFiles: Iterable<AppFile>, packageType: string | undefined): void {
  for (const file of functionFiles) {
    if (file.path.endsWith('.ts') || file.text === undefined) continue;
    if (moduleSyntax.test(file.text) || !declaresMain.test(file.text)) continue;
    const esm = file.path.endsWith('.mjs') || (file.path.endsWith('.js') && packageType === 'module');
    file.compiled = `${file.text}\n${esm ? 'export default main;' : 'module.exports = main;'}\n`;
  }
}
