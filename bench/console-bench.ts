/**
 * @module Console first-load benchmark: the built console served by a real cloud, loaded in Chromium with an empty
 * cache; the JavaScript the first load fetched, gzip-compressed, and the time from navigation start to the log-in
 * form on screen (the mark the form sets), with its Email field focusable.
 */
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { cloudWithUser, type CloudBenchDeps } from './cloud-bench.ts';
import { percentile } from './stats.ts';

const ROUNDS = 10;
/** Set by console/components/credentials-form.tsx when the Email and Password form has rendered. */
const READY_MARK = 'edgecourier:form-ready';

interface FirstLoad {
  /** Each script fetched: its URL and its bytes gzip-compressed (the cloud serves them as they are). */
  scripts: { url: string; gzipBytes: number }[];
  interactiveMs: number;
}

export async function benchConsole(deps: Pick<CloudBenchDeps, 'executor' | 'report'>): Promise<void> {
  const { cloud } = await cloudWithUser(deps);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--headless=new'],
  });
  try {
    const loads: FirstLoad[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // A context of its own each time: no cache, no cookies, as a first visit.
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const bodies: Promise<{ url: string; gzipBytes: number }>[] = [];
      page.on('response', (response) => {
        if (response.request().resourceType() === 'script')
          bodies.push(response.body().then((body) => ({ url: response.url(), gzipBytes: gzipSync(body).length })));
      });
      await page.goto(cloud.url + '/');
      const email = page.getByLabel('Email');
      await email.focus();
      await page.getByRole('button', { name: 'Log in' }).waitFor();
      if (!(await email.evaluate((element) => element === (element as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement)))
        throw new Error('the Email field did not take the focus');
      const interactiveMs = await page.evaluate((mark) => performance.getEntriesByName(mark)[0]?.startTime ?? Number.NaN, READY_MARK);
      if (!Number.isFinite(interactiveMs)) throw new Error(`the console set no ${READY_MARK} mark`);
      loads.push({ scripts: await Promise.all(bodies), interactiveMs });
      await context.close();
    }
    const first = loads[0]!;
    const kb = first.scripts.reduce((sum, script) => sum + script.gzipBytes, 0) / 1024;
    const ms = loads.map((load) => load.interactiveMs);
    deps.report(
      `console first load: JavaScript transferred (gzip) ${kb.toFixed(1)} KB in ${first.scripts.length} file${first.scripts.length === 1 ? '' : 's'} (target <= 200 KB: ${kb <= 200 ? 'met' : 'NOT met'})`,
    );
    deps.report(
      `console first load to interactive, localhost Chromium (${ROUNDS} loads): median ${percentile(ms, 50).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms (target <= 1000 ms: ${percentile(ms, 50) <= 1000 ? 'met' : 'NOT met'})`,
    );
  } finally {
    await browser.close();
    await cloud.close();
  }
}
