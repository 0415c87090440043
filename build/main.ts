/** @module `npm run build`: brings dist/ up to date with the sources, in about a second, or at once when it is. */
import { relative } from 'node:path';
import { distDir, ensureDist } from './dist.ts';

const started = Date.now();
const compiled = await ensureDist();
const where = relative(process.cwd(), distDir) || '.';
process.stderr.write(compiled ? `build: compiled ${where} in ${((Date.now() - started) / 1000).toFixed(1)} s\n` : `build: ${where} is up to date\n`);
