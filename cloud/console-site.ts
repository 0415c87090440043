/**
 * @module The web console's files (build/console.ts compiles them into dist/console/): its scripts and styles, named by
 * their content and so cached for good, and its one page, index.html, for `/` and every path of the console's own
 * (`/apps/app_…/code`) that a browser loads, under a Content-Security-Policy that runs only the cloud's own scripts.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import express, { type RequestHandler } from 'express';
import { EdgeError } from '../base/errors.ts';
import { packageRoot } from '../runtime/package-root.ts';

/** Where `npm run build` puts the console. */
export const builtConsoleDir = join(packageRoot, 'dist', 'console');

/** The placeholder the built index.html holds (build/console.ts), replaced by each answer's nonce. */
export const NONCE_PLACEHOLDER = '%STYLE_NONCE%';

/**
 * Scripts, style sheets and connections from the cloud itself only, and no inline script at all. The code editor
 * writes its styles into a <style> element as it loads its parts: that element carries the page's nonce (a new one
 * each answer), which the page hands the editor. It also sets style attributes (sizes, positions), which are allowed
 * (style-src-attr): an attribute can restyle an element, never run anything. No framing, no <base> pointing elsewhere.
 */
function pageHeaders(nonce: string): Record<string, string> {
  return {
    'Content-Security-Policy': `default-src 'none'; script-src 'self'; style-src 'self' 'nonce-${nonce}'; style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    // Always asked again: it names the current build's scripts, which change with every build, and a new nonce.
    'Cache-Control': 'no-cache, no-store',
    'Referrer-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
  };
}

/** The cloud's own paths, never the console's, whatever a browser accepts: their misses answer the API's 404. */
const serverPaths = /^\/(api|run)(\/|$)/i;

/** A page load of a browser: it asks for HTML by name (fetch and curl send * / * or JSON). */
const wantsPage = (accept: string | undefined) => accept?.includes('text/html') ?? false;

/**
 * Serves the console from `dir` for GET and HEAD requests the routes before it left; the rest go on to the 404.
 * @example app.use(consoleSite(builtConsoleDir)); app.use(routeNotFound)
 */
export function consoleSite(dir: string): RequestHandler {
  // Hashed names: a new build writes new names, so a file may be kept as long as browsers keep anything.
  const assets = express.static(join(dir, 'assets'), {
    index: false,
    immutable: true,
    maxAge: 365 * 24 * 60 * 60 * 1000,
    setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff'),
  });
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path.startsWith('/assets/')) {
      const url = req.url;
      req.url = url.slice('/assets'.length);
      // A miss goes on to the 404 with its own path, not the one the static handler saw.
      return assets(req, res, (error?: unknown) => {
        req.url = url;
        next(error);
      });
    }
    if (serverPaths.test(req.path) || (req.path !== '/' && !wantsPage(req.headers.accept))) return next();
    readFile(join(dir, 'index.html'), 'utf8').then(
      (page) => {
        const nonce = randomBytes(16).toString('base64');
        res.status(200).set(pageHeaders(nonce)).type('html').send(page.replaceAll(NONCE_PLACEHOLDER, nonce));
      },
      () => next(new EdgeError('NOT_FOUND', 'the web console is not built here: run `npm run build` (npm start does) and reload')),
    );
  };
}
