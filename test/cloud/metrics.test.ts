/** The cloud's operator endpoints on real Docker: /metrics counts invocations by outcome, /healthz answers 200 while the executor runs and 503 once it closed. */
import test from 'ava';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCloud } from '../../cloud/main.ts';
import { createExecutor } from '../../docker/executor-factory.ts';
import { api } from '../helpers/cloud.ts';
import { makeApp, sampleFunctions } from '../helpers/cloud-apps.ts';
import { useCloud } from '../helpers/use-cloud.ts';
import { tempFolder } from '../helpers/temp.ts';
import { sample } from '../helpers/prometheus.ts';

const session = useCloud(test, { docker: true });

test('/metrics counts invocations by outcome, with durations, sandboxes and the process metrics', async (t) => {
  const { url } = session;
  const app = await makeApp(url, session.token, sampleFunctions, [
    { method: 'POST', path: '/greet', function: 'greet', public: true },
    { method: 'POST', path: '/fails', function: 'fails', public: true },
  ]);
  await session.call('POST', `/apps/${app.id}/start`);
  t.is((await api(url, 'POST', `/run/${app.id}/greet`, { input: { name: 'ops' } })).status, 200);
  t.is((await api(url, 'POST', `/run/${app.id}/fails`, { input: { why: 'metrics' } })).status, 502);
  const metrics = await api(url, 'GET', '/metrics');
  t.is(metrics.status, 200);
  t.regex(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  // greet calls upper: two function bodies ran for the one endpoint call.
  t.true(sample(metrics.text, 'edgecourier_invocations_total{outcome="ok"}') >= 2);
  t.true(sample(metrics.text, 'edgecourier_invocations_total{outcome="FUNCTION_THREW"}') >= 1);
  t.true(sample(metrics.text, 'edgecourier_invocation_duration_seconds_count') >= 3);
  t.true(sample(metrics.text, 'edgecourier_warm_sandboxes') >= 1);
  t.is(sample(metrics.text, 'edgecourier_executor_queue_depth'), 0);
  for (const name of ['edgecourier_cold_starts_total', 'edgecourier_generic_sandboxes', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
    t.false(Number.isNaN(sample(metrics.text, name)), `${name} is missing`);
  }
  // A cloud that runs no courier shows no courier series, rather than zeros that look like an idle courier.
  t.notRegex(metrics.text, /^edgecourier_(courier_|roots_served)/m);
});

test('/healthz answers 200 with the pool size, needing no session', async (t) => {
  const health = await api(session.url, 'GET', '/healthz');
  t.is(health.status, 200);
  t.like(health.body, { status: 'ok', queued: 0 });
  t.true(health.body.sandboxes >= 1);
});

test('/healthz answers 503 with the reason once the executor has closed', async (t) => {
  const base = await tempFolder('ec-health');
  const executor = await createExecutor({ local: true, cacheDir: join(base, 'cache'), runDir: join(base, 'run') });
  const cloud = await startCloud({ dataDir: join(base, 'data'), port: 0, host: '127.0.0.1', executor, logger: pino({ level: 'silent' }) });
  t.teardown(() => cloud.close());
  await executor.executor.close();
  t.like(await api(cloud.url, 'GET', '/healthz'), { status: 503, body: { status: 'unavailable', reason: 'the executor is shutting down' } });
});
