/** @module The folder edgecourier is installed in (its package.json's), whether it runs from its sources or compiled into dist/. */
import { fileURLToPath } from 'node:url';

/**
 * One level up from this module: from runtime/ in the sources, and from dist/ once compiled, where the build puts
 * every module of the program (build/dist.ts).
 */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));
