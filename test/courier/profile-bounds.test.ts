/** Profiles stay within their bounds: the state file's bytes, what waits for a cloud that is down, and each report's caps. */
import test from 'ava';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { asFleetReport, reportGroups, type RootAppDigests } from '../../api/profile-batches.ts';
import { fleetReportRequest, MAX_DIGESTS_PER_REPORT } from '../../api/profiles.ts';
import { AppProfileBooks } from '../../courier/app-profile-books.ts';
import { CourierProfiles, MAX_UNREPORTED_BYTES } from '../../courier/courier-profiles.ts';
import { ProfileBook, type ProfileDigest } from '../../runtime/profiles.ts';
import { tempFolder } from '../helpers/temp.ts';

/** Digests of `count` versions of `fn`, the i-th last called at time i. */
function digests(fn: string, count: number, from = 0): ProfileDigest[] {
  const book = new ProfileBook({ max: count });
  for (let i = from; i < from + count; i++) {
    book.record({
      function: fn,
      version: `v${i.toString().padStart(6, '0')}`,
      place: 'courier',
      outcome: 'ok',
      source: 'executed',
      durationMs: 1 + (i % 50),
      at: i,
    });
  }
  return book.digests();
}

test('trimming drops the versions called least recently, whatever their app, until the digests fit', (t) => {
  const books = new AppProfileBooks([
    { app: 'a', digests: digests('f', 100, 0) },
    { app: 'b', digests: digests('g', 100, 100) },
  ]);
  const bytes = () => JSON.stringify(books.entries()).length;
  const before = bytes();
  const dropped = books.trim(Math.floor(before / 2));
  t.true(dropped > 0);
  t.true(bytes() <= before / 2 + 200, `${bytes()} bytes after trimming to ${before / 2}`);
  const kept = books.entries().flatMap((entry) => entry.digests.map((d) => d.lastAt));
  t.is(Math.min(...kept), dropped, 'exactly the oldest went');
});

test('the profiles file never passes its bound, and what waits for the cloud never passes its own', async (t) => {
  const file = join(await tempFolder('ec-profiles'), 'profiles.json');
  const profiles = await CourierProfiles.open({ file, maxBytes: 64 * 1024, reporting: true, logger: pino({ level: 'silent' }) });
  const observe = profiles.observer('app');
  for (let i = 0; i < 2000; i++) observe({ index: 0, fn: 'f', version: `v${i}`, startedAt: i, durationMs: 2, source: 'executed', logs: [] });
  await profiles.close();
  t.true((await stat(file)).size <= 64 * 1024);
  // A cloud down for long: every failed report gives back what it took, and more keeps coming.
  for (let round = 0; round < 5; round++) profiles.giveBack([{ app: 'app', digests: digests('g', 3000, round * 3000) }]);
  t.true(JSON.stringify(profiles.takeUnreported()).length <= MAX_UNREPORTED_BYTES + 1024);
});

test('reports are cut within the caps of the fleet API, every digest in exactly one', (t) => {
  const entries: RootAppDigests[] = [
    { rootId: 'r1', app: 'a', digests: digests('f', 450) },
    { rootId: 'r2', app: 'b', digests: digests('g', 30) },
  ];
  const groups = reportGroups(entries, 40 * 1024);
  t.true(groups.length >= 3);
  for (const group of groups) {
    const report = fleetReportRequest.parse(asFleetReport('courier-1', group));
    const count = report.roots.flatMap((root) => root.apps).reduce((sum, app) => sum + app.digests.length, 0);
    t.true(count <= MAX_DIGESTS_PER_REPORT);
    t.true(JSON.stringify(report).length <= 40 * 1024 + 1024);
  }
  const sent = groups.flat().flatMap((entry) => entry.digests.map((d) => `${entry.rootId}/${entry.app}/${d.version}`));
  t.is(new Set(sent).size, 480);
  t.is(sent.length, 480);
});
