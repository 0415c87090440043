/** Every folder result carries an activation id, as the cloud's answers do, and the courier's log line for it names the same id. */
import test from 'ava';
import { join } from 'node:path';
import { pino } from 'pino';
import { ACTIVATION_ID_PATTERN } from '../../api/activation-ids.ts';
import { startCourier } from '../../courier/main.ts';
import { createExecutor } from '../../docker/executor-factory.ts';
import { dropRequest, makeRoot, waitForResult } from '../helpers/courier.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until } from '../helpers/wait.ts';

test('results of a call, a failed call and a request that is not valid each carry their own activation id, named in the log line', async (t) => {
  const executor = await createExecutor({ cacheDir: join(await tempFolder('ec-cache'), 'cache'), prestart: 1 });
  t.teardown(() => executor.executor.close());
  const temp = await makeRoot('basic');
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const courier = await startCourier({ root: temp.root, stateDir: temp.state, settleMs: 200, executor, logger });
  t.teardown(() => courier.stop());
  const requests: Record<string, unknown> = { ok: { function: 'greet', input: { name: 'id' } }, failed: { function: 'fails' }, invalid: { input: 1 } };
  for (const [id, request] of Object.entries(requests)) await dropRequest(temp.root, 'basic', id, request);
  const ids = new Map<string, string>();
  for (const id of Object.keys(requests)) {
    const result = await waitForResult(temp.root, 'basic', id, 60_000);
    t.regex(result.activationId ?? '', ACTIVATION_ID_PATTERN, id);
    ids.set(id, result.activationId!);
  }
  t.is(new Set(ids.values()).size, 3, 'each its own');
  await until('a log line per request', () => lines.filter((line) => line.msg === 'request').length === 3);
  for (const [id, activationId] of ids)
    t.like(
      lines.find((line) => line.msg === 'request' && line.id === id),
      { activationId },
    );
});
