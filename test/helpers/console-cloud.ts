/** @module A test file's cloud (functions in Docker) and Chromium for the console's pages, started before its tests and closed after them. */
import type { TestFn } from 'ava';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { startDockerCloud, USER_PASSWORD, type DockerCloud } from './cloud-apps.ts';

export interface ConsoleCloud {
  readonly url: string;
  readonly browser: Browser;
  /** The cloud's publisher of synced folders' apps (a folder app is changed only by its folder). */
  readonly folderApps: DockerCloud['folderApps'];
  /** Logs the account `email` (signed up with the helpers' password) in through the console's log-in page. */
  logIn(page: Page, email: string): Promise<void>;
}

export function useConsoleCloud(test: TestFn): ConsoleCloud {
  let cloud: DockerCloud | undefined;
  let browser: Browser | undefined;
  test.before(async () => {
    [cloud, browser] = await Promise.all([startDockerCloud(), launchChromium()]);
  });
  test.after.always(async () => {
    await browser?.close();
    await cloud?.close();
  });
  const started = () => {
    if (!cloud || !browser) throw new Error('the console cloud is used before its before hook ran');
    return { cloud, browser };
  };
  return {
    get url() {
      return started().cloud.url;
    },
    get browser() {
      return started().browser;
    },
    get folderApps() {
      return started().cloud.folderApps;
    },
    async logIn(page, email) {
      await page.goto(started().cloud.url + '/login');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(USER_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Apps' }).waitFor();
    },
  };
}
