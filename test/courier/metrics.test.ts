/** The courier's operator endpoints on real Docker: its own metrics port, and the cloud's registry when both run in one process. */
import test from 'ava';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCloud } from '../../cloud/main.ts';
import { startCourier } from '../../courier/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { dropRequest, makeRoot, waitForResult } from '../helpers/courier.ts';
import { sample } from '../helpers/prometheus.ts';

let executor: ExecutorBundle;
const logger = pino({ level: 'silent' });

test.before(async () => {
  const temp = await makeRoot();
  executor = await createExecutor({ cacheDir: join(temp.state, '..', 'cache'), prestart: 1 });
});

test.after.always(async () => {
  await executor?.executor.close();
});

test('a courier with a metrics port answers /healthz and counts the requests it processed at /metrics', async (t) => {
  const temp = await makeRoot('basic');
  const running = await startCourier({ root: temp.root, stateDir: temp.state, metricsPort: 0, executor, logger });
  t.teardown(() => running.stop());
  t.regex(running.metricsUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  const health = await fetch(`${running.metricsUrl}/healthz`);
  t.is(health.status, 200);
  t.like(await health.json(), { status: 'ok' });
  await dropRequest(temp.root, 'basic', 'ok', { function: 'greet', input: { name: 'ops' } });
  await dropRequest(temp.root, 'basic', 'bad', { function: 'fails', input: { why: 'metrics' } });
  await waitForResult(temp.root, 'basic', 'ok');
  await waitForResult(temp.root, 'basic', 'bad');
  await running.courier.idle();
  const metrics = await fetch(`${running.metricsUrl}/metrics`);
  t.regex(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await metrics.text();
  t.is(sample(text, 'edgecourier_invocations_total{outcome="ok"}'), 2);
  t.is(sample(text, 'edgecourier_invocations_total{outcome="FUNCTION_THREW"}'), 1);
  t.is(sample(text, 'edgecourier_courier_requests_total{outcome="ok"}'), 1);
  t.is(sample(text, 'edgecourier_courier_requests_total{outcome="FUNCTION_THREW"}'), 1);
  t.is(sample(text, 'edgecourier_roots_served'), 1);
  t.is(sample(text, 'edgecourier_courier_backlog'), 0);
  t.is((await fetch(`${running.metricsUrl}/other`)).status, 404);
});

test('beside the cloud, a courier counts on the cloud registry, and the cloud /healthz fails once the courier stopped', async (t) => {
  const temp = await makeRoot('basic');
  const cloud = await startCloud({ dataDir: join(temp.state, '..', 'data'), port: 0, host: '127.0.0.1', executor, logger });
  t.teardown(() => cloud.close());
  const running = await startCourier({ root: temp.root, stateDir: temp.state, observability: cloud.observability, executor, logger });
  t.is(running.metricsUrl, undefined);
  await dropRequest(temp.root, 'basic', 'echo', { function: 'upper', input: { text: 'shared' } });
  await waitForResult(temp.root, 'basic', 'echo');
  const text = await (await fetch(`${cloud.url}/metrics`)).text();
  t.is(sample(text, 'edgecourier_invocations_total{outcome="ok"}'), 1);
  t.is(sample(text, 'edgecourier_roots_served'), 1);
  t.is((await fetch(`${cloud.url}/healthz`)).status, 200);
  await running.stop();
  const health = await fetch(`${cloud.url}/healthz`);
  t.is(health.status, 503);
  t.like(await health.json(), { status: 'unavailable', reason: 'a courier is not watching its folder' });
});
