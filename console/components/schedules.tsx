/** @module An app's schedules (GET /apps/:appId/schedules): what each runs and when, its next slot, and how its last run went. */
import type { ScheduleList, ScheduleListing } from '../../api/schedules.ts';
import { request } from '../api.ts';
import { Link } from '../router.tsx';
import { activationHref } from './activation-summary.tsx';
import { ErrorMessage } from './form.tsx';
import { useLoad } from './use-load.ts';

const when = (time: string) => <time dateTime={time}>{new Date(time).toLocaleString()}</time>;

function ScheduleItem({ appId, schedule: s }: { appId: string; schedule: ScheduleListing }) {
  return (
    <li>
      <p>
        <strong>{s.name}</strong> runs {s.function} {s.every ? `every ${s.every}` : `on ${s.cron} (${s.timezone ?? 'UTC'})`}
      </p>
      <p class="muted">
        {s.next ? <>next {when(s.next)}</> : 'not running: the app is stopped'} · {s.running ?? 0} running · {s.skipped} skipped
      </p>
      {s.lastRun && (
        <p>
          Last run {when(s.lastRun.startedAt)}: <span class={s.lastRun.outcome === 'ok' ? 'ok' : 'failed'}>{s.lastRun.outcome ?? 'going on'}</span>
          {s.lastRun.activationId && (
            <>
              {' '}
              <Link href={activationHref(appId, s.lastRun.activationId)}>{`activation of ${s.name}`}</Link>
            </>
          )}
        </p>
      )}
    </li>
  );
}

export function Schedules({ appId }: { appId: string }) {
  const loaded = useLoad(() => request<ScheduleList>('GET', `/apps/${encodeURIComponent(appId)}/schedules`), [appId]);
  return (
    <section aria-labelledby="schedules-title">
      <h2 id="schedules-title">Schedules</h2>
      <ErrorMessage error={loaded.error} />
      {loaded.value &&
        (loaded.value.schedules.length === 0 ? (
          <p class="muted">No schedules: app.json declares them ("schedules").</p>
        ) : (
          <ul class="list versions" aria-label="Schedules">
            {loaded.value.schedules.map((schedule) => (
              <ScheduleItem key={schedule.name} appId={appId} schedule={schedule} />
            ))}
          </ul>
        ))}
    </section>
  );
}
