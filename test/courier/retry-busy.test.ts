/** A flood of requests against a Docker executor with one sandbox and no waiting line: the BUSY refusals are tried again until every request has its real output. */
import test from 'ava';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCourier, type RunningCourier } from '../../courier/main.ts';
import type { PendingFile } from '../../courier/result-files.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { dropRequest, makeRoot, readPending, waitForResult } from '../helpers/courier.ts';

let running: RunningCourier | undefined;
let executor: ExecutorBundle | undefined;

test.after.always(async () => {
  await running?.stop();
  await executor?.executor.close();
});

test('requests refused with BUSY wait in their pending files and end with the function output', async (t) => {
  const temp = await makeRoot('basic');
  // One container that runs one call at a time and lets none wait: every call beside the running one is BUSY.
  executor = await createExecutor({ cacheDir: join(temp.state, '..', 'cache'), prestart: 1, maxContainers: 1, concurrency: 1, maxQueue: 0 });
  const warnings: Array<{ code?: string }> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  running = await startCourier({
    root: temp.root,
    stateDir: temp.state,
    settleMs: 200,
    concurrency: 8,
    retry: { firstDelayMs: 100, maxDelayMs: 1000 },
    executor,
    logger,
    metricsPort: 0,
  });
  const count = 8;
  for (let i = 0; i < count; i++) await dropRequest(temp.root, 'basic', `flood${i}`, { function: 'slow', input: { ms: 150 } });
  // Watch the pending files while the flood drains: the refused requests say why they wait.
  const seen: PendingFile[] = [];
  let draining = true;
  const watching = (async () => {
    while (draining) {
      for (let i = 0; i < count; i++) {
        const pending = await readPending(temp.root, 'basic', `flood${i}`).catch(() => undefined);
        if (pending?.retry) seen.push(pending);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    for (let i = 0; i < count; i++) t.like(await waitForResult(temp.root, 'basic', `flood${i}`, 120_000), { ok: true, output: { slept: 150 } }, `flood${i}`);
  } finally {
    draining = false;
    await watching;
  }
  t.true(
    seen.some((pending) => pending.retry?.lastError.code === 'BUSY'),
    `pending files seen with a retry state: ${seen.length}`,
  );
  t.true(
    warnings.some((line) => line.code === 'BUSY'),
    'a warning names the BUSY refusals',
  );
  const metrics = await (await fetch(`${running.metricsUrl}/metrics`)).text();
  t.true(Number(/^edgecourier_courier_retries_total\{code="BUSY"\} (\d+)$/m.exec(metrics)?.[1]) >= 1, 'the retries are counted');
  t.regex(metrics, /^edgecourier_courier_requests_total\{outcome="ok"\} 8$/m);
  t.regex(metrics, /^edgecourier_courier_retrying 0$/m);
});
