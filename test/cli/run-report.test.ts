/** `edgecourier run --report <app>` sends the run's profile, every call counted as run at the edge, to the cloud app named; never without --report; a failed report is a warning that changes nothing of the run. */
import test from 'ava';
import { join } from 'node:path';
import { edgeReportRequest, profilePaths } from '../../api/profiles.ts';
import { runCli } from '../helpers/cli.ts';
import { startRecorder, type Recorder } from '../helpers/report-recorder.ts';
import { copyFixtureApp } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';

const appId = 'app_shop1';
const reportPath = profilePaths.app(appId);
let recorder: Recorder;
let app: string;

test.before(async () => {
  // The cloud's answer to the app lookup every cloud command makes, and a recorder of the report.
  recorder = await startRecorder({
    record: (method, path) => method === 'POST' && path === reportPath,
    answers: {
      'GET /api/v1/apps': { apps: [{ id: appId, name: 'shop', owned: true, status: 'running', access: 'FULL_CONTROL', functions: [], endpoints: [] }] },
    },
  });
  app = await copyFixtureApp('basic');
});

test.after.always(async () => {
  await recorder?.close();
});

/** The CLI logged in to `url` (the recorder unless given), with no saved credentials of this machine's user in play. */
async function run(args: string[], url = recorder.url) {
  const env = { ...process.env, EDGECOURIER_URL: url, EDGECOURIER_TOKEN: 'tok_edge', EDGECOURIER_CREDENTIALS: join(await tempFolder('ec-creds'), 'none.json') };
  return runCli(['run', app, ...args], { env });
}

const reportsSince = (seen: number) => recorder.received.slice(seen).map((request) => ({ ...request, body: edgeReportRequest.parse(request.body) }));

test.serial(
  'a local run sends nothing without --report; with it, every version of its tree, counted at the edge, to the app named, with the token',
  async (t) => {
    const quiet = await run(['greet', '--local', '--input', '{"name":"quiet"}']);
    t.is(quiet.code, 0, quiet.stderr);
    t.is(recorder.received.length, 0, 'nothing is sent unless asked');
    const seen = recorder.received.length;
    const result = await run(['greet', '--local', '--input', '{"name":"edge"}', '--report', 'shop']);
    t.is(result.code, 0, result.stderr);
    t.like(JSON.parse(result.stdout), { ok: true, output: { message: 'hello EDGE' } });
    const reports = reportsSince(seen);
    t.is(reports.length, 1);
    t.is(reports[0]!.authorization, 'Bearer tok_edge');
    const digests = reports[0]!.body.digests;
    t.deepEqual(digests.map((d) => d.function).sort(), ['greet', 'upper']);
    for (const digest of digests) t.like(digest, { calls: 1, errors: 0, served: { executed: 1 }, places: { edge: 1, courier: 0, cloud: 0 } });
    t.regex(result.stderr, /reported the profile of 2 function versions to shop \(app_shop1\)/);
  },
);

test.serial('a failing run reports its error and still exits 1; a run in a container reports too', async (t) => {
  const seen = recorder.received.length;
  const failed = await run(['fails', '--local', '--report', appId]);
  t.is(failed.code, 1);
  t.like(JSON.parse(failed.stdout), { ok: false, error: { code: 'FUNCTION_THREW' } });
  const contained = await run(['upper', '--input', '{"text":"box"}', '--report', 'shop']);
  t.is(contained.code, 0, contained.stderr);
  const [fails, upper] = reportsSince(seen);
  t.like(fails!.body.digests, [{ function: 'fails', calls: 1, errors: 1, places: { edge: 1 } }]);
  t.like(upper!.body.digests, [{ function: 'upper', calls: 1, errors: 0, places: { edge: 1 } }]);
});

test.serial('a report the cloud refuses, or a cloud that does not answer, is a warning: the output and exit status are those of the run', async (t) => {
  recorder.refusing = true;
  t.teardown(() => (recorder.refusing = false));
  const refused = await run(['greet', '--local', '--input', '{"name":"x"}', '--report', 'shop']);
  t.is(refused.code, 0);
  t.like(JSON.parse(refused.stdout), { ok: true, output: { message: 'hello X' } });
  t.regex(refused.stderr, /warning: the profile was not reported: down for a moment/);
  const unknown = await run(['greet', '--local', '--input', '{"name":"y"}', '--report', 'nosuchapp']);
  t.is(unknown.code, 0);
  t.regex(unknown.stderr, /warning: the profile was not reported: you have no app "nosuchapp"/);
  const closed = await startRecorder({ record: () => false });
  await closed.close();
  const unreachable = await run(['fails', '--local', '--report', 'shop'], closed.url);
  t.is(unreachable.code, 1, 'the run failed, and that alone decides the status');
  t.like(JSON.parse(unreachable.stdout), { ok: false, error: { code: 'FUNCTION_THREW' } });
  t.regex(unreachable.stderr, /warning: the profile was not reported: cannot reach the cloud at/);
});
