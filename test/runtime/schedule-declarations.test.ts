/** @module app.json's "schedules" as both the courier and the cloud read them: what passes, and what is refused in which words. */
import test from 'ava';
import { EdgeError } from '../../base/errors.ts';
import { parseAppConfig } from '../../runtime/app-config.ts';
import { MAX_SCHEDULES_PER_APP } from '../../runtime/schedule.ts';

const refused = test.macro({
  exec(t, schedules: unknown, words: RegExp) {
    const error = t.throws(() => parseAppConfig(JSON.stringify({ schedules }), 'INVALID_INPUT'), { instanceOf: EdgeError });
    t.is((error as EdgeError).code, 'INVALID_INPUT');
    t.regex(error!.message, words);
  },
  title: (title = '') => `refused: ${title}`,
});

test('an interval, and a cron expression with a time zone, pass', (t) => {
  const config = parseAppConfig(
    JSON.stringify({
      schedules: {
        tick: { function: 'tick', every: '30s', input: { n: 1 } },
        nightly: { function: 'report', cron: '0 3 * * *', timezone: 'Europe/Berlin', overlap: true },
      },
    }),
    'INVALID_APP',
  );
  t.deepEqual(Object.keys(config.schedules ?? {}), ['tick', 'nightly']);
});

test('an interval under a second', refused, { tick: { function: 'tick', every: '0s' } }, /schedules\.tick\.every/);
test('an interval without a unit', refused, { tick: { function: 'tick', every: '30' } }, /whole number and a unit/);
test('both every and cron', refused, { tick: { function: 'tick', every: '1m', cron: '* * * * *' } }, /one of "every".*and "cron", not both/);
test('neither every nor cron', refused, { tick: { function: 'tick' } }, /one of "every"/);
test('a cron expression that is not one', refused, { tick: { function: 'tick', cron: 'every day' } }, /schedules\.tick\.cron.*not a cron expression/);
test('a cron expression that never comes round', refused, { tick: { function: 'tick', cron: '0 0 30 2 *' } }, /never comes round/);
test('an unknown time zone', refused, { tick: { function: 'tick', cron: '* * * * *', timezone: 'Mars/Olympus' } }, /Mars\/Olympus.*IANA/);
test('a schedule name that cannot be a file name', refused, { 'a/b': { function: 'tick', every: '1m' } }, /schedule name/);
test('an input over the cap', refused, { tick: { function: 'tick', every: '1m', input: 'x'.repeat(20_000) } }, /larger than 16384 bytes/);
test('a field it does not know', refused, { tick: { function: 'tick', every: '1m', retries: 3 } }, /retries/);
test(
  'more schedules than an app may hold',
  refused,
  Object.fromEntries(Array.from({ length: MAX_SCHEDULES_PER_APP + 1 }, (_, i) => [`s${i}`, { function: 'tick', every: '1m' }])),
  /at most 10 schedules/,
);
