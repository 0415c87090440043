/** @module Real Chromium for tests of web pages: pages that fail their test on any console error, and screenshots kept as artifacts. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { packageRoot } from '../../runtime/package-root.ts';

/** Where tests put screenshots: gitignored, kept by CI (.ci/run) for people to look at. */
export const artifactsDir = join(packageRoot, 'artifacts');

/** Debian's Chromium: playwright's own download cannot reach its CDN here. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--headless=new'],
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, failed requests of the page's own scripts, and uncaught exceptions, as they happened. */
  errors: string[];
}

/** A page in a context of its own (its own cookies and storage), of the viewport given, watched for errors. */
export async function watchedPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return { page, context, errors };
}

/** Saves a full-page screenshot as artifacts/<folder>/<name>-<width>.png. */
export async function screenshot(page: Page, folder: string, name: string): Promise<void> {
  const dir = join(artifactsDir, folder);
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}-${page.viewportSize()?.width ?? 0}.png`), fullPage: true });
}

/** The page is no wider than its viewport: nothing scrolls sideways. */
export const fitsWidth = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
