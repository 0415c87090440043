/**
 * @module An app's performance profiles: for each function, its versions' p50, p95 and p99 durations and calls, as a
 * chart and as a table, from GET /apps/:appId/profile, and its recent calls' durations over time; and the app's
 * schedules below them.
 */
import { useMemo } from 'preact/hooks';
import { request } from '../../api.ts';
import { AppFrame } from '../../components/app-frame.tsx';
import { ErrorMessage } from '../../components/form.tsx';
import { Chart, type Draw } from '../../components/chart.tsx';
import { RecentDurations } from '../../components/recent-durations.tsx';
import { Schedules } from '../../components/schedules.tsx';
import { useLoad } from '../../components/use-load.ts';
import type { VersionSeries } from '../../charts/uplot.ts';
import type { Profile } from '../../types.ts';

const ms = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(value < 10 ? 2 : 1));
const short = (version: string) => version.slice(0, 8);
const drawProfile: Draw<VersionSeries> = (charts, host, width, data) => charts.drawProfileChart(host, width, data);

/** What the page shows of one function; `calls` says whether the viewer may read its activation records (WRITE and up). */
function FunctionProfile({ appId, name, profiles, calls }: { appId: string; name: string; profiles: Profile[]; calls: boolean }) {
  // Oldest first, so the chart reads left to right as the function changed.
  const data = useMemo(
    () => ({
      versions: profiles.map((p) => short(p.version)),
      p50: profiles.map((p) => p.durationMs?.p50 ?? null),
      p95: profiles.map((p) => p.durationMs?.p95 ?? null),
      p99: profiles.map((p) => p.durationMs?.p99 ?? null),
      calls: profiles.map((p) => p.calls),
    }),
    [profiles],
  );
  return (
    <section class="card" aria-labelledby={`profile-${name}`}>
      <h3 id={`profile-${name}`}>{name}</h3>
      {/* A picture of the figures the table below lists, for those who read them. */}
      <Chart label={`Durations and calls of ${name} by version`} data={data} draw={drawProfile} />
      {/* A table wider than a phone scrolls inside its box, never the page. */}
      <div class="table-box">
        <table aria-label={`Profile of ${name}`}>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Calls</th>
              <th scope="col">p50 ms</th>
              <th scope="col">p95 ms</th>
              <th scope="col">p99 ms</th>
            </tr>
          </thead>
          <tbody>
            {profiles.map((p) => (
              <tr key={p.version}>
                <th scope="row">
                  <code>{short(p.version)}</code>
                </th>
                <td>{p.calls}</td>
                <td>{ms(p.durationMs?.p50)}</td>
                <td>{ms(p.durationMs?.p95)}</td>
                <td>{ms(p.durationMs?.p99)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {calls ? <RecentDurations appId={appId} fn={name} /> : <p class="muted">Each call's duration is shown to those who may change the app.</p>}
    </section>
  );
}

/** The profiles by function, each function's versions oldest first. */
function byFunction(profiles: Profile[]): [string, Profile[]][] {
  const groups = new Map<string, Profile[]>();
  for (const profile of [...profiles].sort((a, b) => a.firstAt.localeCompare(b.firstAt))) {
    groups.set(profile.function, [...(groups.get(profile.function) ?? []), profile]);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

function Profiles({ appId, calls }: { appId: string; calls: boolean }) {
  const loaded = useLoad(() => request<{ profiles: Profile[] }>('GET', `/apps/${encodeURIComponent(appId)}/profile`), [appId]);
  const groups = useMemo(() => loaded.value && byFunction(loaded.value.profiles), [loaded.value]);
  if (loaded.error !== undefined) return <ErrorMessage error={loaded.error} />;
  if (!groups) return <p class="muted">Loading the profiles…</p>;
  return (
    <section aria-labelledby="profiles-title">
      <h2 id="profiles-title">Profiles</h2>
      {groups.length === 0 ? (
        <p class="muted">No calls yet: each function version's profile starts with its first call.</p>
      ) : (
        groups.map(([name, profiles]) => <FunctionProfile key={name} appId={appId} name={name} profiles={profiles} calls={calls} />)
      )}
    </section>
  );
}

export function ProfilesPage({ appId }: { appId: string }) {
  return (
    <AppFrame appId={appId} tab="/profiles">
      {(app) => (
        <>
          <Profiles appId={appId} calls={app.access === 'WRITE' || app.access === 'FULL_CONTROL'} />
          <Schedules appId={appId} />
        </>
      )}
    </AppFrame>
  );
}
