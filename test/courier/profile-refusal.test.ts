/** A fleet courier's report the real cloud refuses as invalid (calls ending a day ahead of its clock) is dropped, not sent again: later reports of the root still reach its owner. */
import test from 'ava';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { cloudClient } from '../../cli/cloud-client.ts';
import { CourierProfiles } from '../../courier/courier-profiles.ts';
import { fleetClient } from '../../courier/fleet-client.ts';
import { ProfileReporter } from '../../courier/profile-reporter.ts';
import type { CallTrace } from '../../runtime/call-trace.ts';
import { api } from '../helpers/cloud.ts';
import { startFleetCloud, type FleetCloud } from '../helpers/fleet-cloud.ts';
import { tempFolder } from '../helpers/temp.ts';

let base: string;
let cloud: FleetCloud;

test.before(async () => {
  base = await tempFolder('ec-profile-refusal');
  cloud = await startFleetCloud(base, 60_000);
});

test.after.always(async () => {
  await cloud?.close();
});

const silent: Logger = pino({ level: 'silent' });
const DAY_MS = 24 * 60 * 60 * 1000;

/** A call of greet's one version as the invoker traces it, ended at `startedAt` plus 5 ms. */
const greetCall = (startedAt: number): CallTrace => ({ index: 0, fn: 'greet', version: 'v-greet', startedAt, durationMs: 5, source: 'executed', logs: [] });

test('a report refused as invalid is not given back: the next one, of calls the cloud takes, is merged', async (t) => {
  const added = await api(cloud.url, 'POST', '/api/v1/roots', { kind: 'local', path: await tempFolder('ec-refusal-root') }, cloud.token);
  t.is(added.status, 201, added.text);
  const rootId = added.body.id as string;
  // A courier holding the root's lease, as the fleet API gives it.
  const transport = cloudClient(cloud.url, cloud.token);
  const fleet = fleetClient(transport);
  const { id } = await fleet.register('skewed');
  t.true((await fleet.heartbeat(id, [])).some((held) => held.rootId === rootId));
  const profiles = await CourierProfiles.open({ file: join(base, 'profiles.json'), reporting: true, logger: silent });
  const reporter = new ProfileReporter({ transport, courierId: () => id, everyMs: 600_000, logger: silent });
  reporter.add(rootId, profiles);
  const observe = profiles.observer('basic');

  // The courier's clock ran two days ahead for a call: the cloud refuses that report whole.
  observe(greetCall(Date.now() + 2 * DAY_MS));
  await reporter.report();
  const refused = await transport.send('POST', '/api/v1/fleet/profiles', {
    courierId: id,
    roots: [{ rootId, apps: [{ app: 'basic', digests: profiles.entries()[0]!.digests }] }],
  });
  t.is(refused.status, 400, 'the cloud does refuse such a call');

  observe(greetCall(Date.now()));
  await reporter.report();
  const read = await api(cloud.url, 'GET', `/api/v1/roots/${rootId}/profile?app=basic`, undefined, cloud.token);
  t.like(read.body, { profiles: [{ function: 'greet', version: 'v-greet', calls: 1, places: { courier: 1 } }] });
});
