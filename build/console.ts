/**
 * @module Compiles the web console (console/) for browsers: minified ES modules named by their content under
 * dist/console/assets/, the code editor (CodeMirror) in a chunk of its own loaded when a code page opens, and the
 * index.html that names the entry's current files. The cloud serves the folder (cloud/console-site.ts).
 */
import { build } from 'esbuild';
import { basename, join, relative } from 'node:path';
import { NONCE_PLACEHOLDER } from '../cloud/console-site.ts';
import { packageRoot } from '../runtime/package-root.ts';

/** Where the console is written, relative to dist/. */
export const consoleOutDir = 'console';
const assetsDir = join(packageRoot, 'dist', consoleOutDir, 'assets');

export interface CompiledConsole {
  /** Each file written, relative to dist/. */
  files: { path: string; contents: Uint8Array }[];
  /** Every source file read, absolute. */
  inputs: string[];
}

/**
 * The page every console route loads: only the entry's script and style, both from the cloud itself, and the
 * placeholder of the nonce the cloud gives each answer (cloud/console-site.ts) for the code editor's styles.
 */
function indexHtml(script: string, style: string | undefined): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgecourier</title>
<link rel="icon" href="data:,">
<meta name="style-nonce" content="${NONCE_PLACEHOLDER}">
${style ? `<link rel="stylesheet" href="/assets/${style}">\n` : ''}<script type="module" src="/assets/${script}"></script>
</head>
<body>
<div id="app"><p class="loading">Loading the console…</p></div>
<noscript>The edgecourier console needs JavaScript.</noscript>
</body>
</html>
`;
}

/**
 * The console's files, compiled in memory.
 * @example const { files } = await compileConsole()
 */
export async function compileConsole(): Promise<CompiledConsole> {
  const result = await build({
    absWorkingDir: packageRoot,
    entryPoints: { main: 'console/main.tsx' },
    outdir: assetsDir,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    // The editor is imported dynamically: its chunk is fetched when a code page opens, not on first load.
    splitting: true,
    format: 'esm',
    platform: 'browser',
    // Browsers of the last few years; the console uses nothing newer.
    target: ['chrome110', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const files = result.outputFiles.map((file) => ({ path: relative(join(packageRoot, 'dist'), file.path), contents: file.contents }));
  const [entry] = Object.entries(result.metafile.outputs).filter(([, output]) => output.entryPoint === 'console/main.tsx');
  if (!entry) throw new Error('the console build wrote no entry script');
  const script = basename(entry[0]);
  const style = entry[1].cssBundle && basename(entry[1].cssBundle);
  files.push({ path: join(consoleOutDir, 'index.html'), contents: Buffer.from(indexHtml(script, style)) });
  return { files, inputs: Object.keys(result.metafile.inputs).map((path) => join(packageRoot, path)) };
}
