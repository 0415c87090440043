/**
 * @module An app's status with Start and Stop, and while a start goes on its step (GET /apps/:appId's `start`, read
 * every second) and the seconds since it was asked for: installing dependencies can take minutes.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from '../api.ts';
import type { App } from '../types.ts';
import { ErrorMessage, useAction } from './form.tsx';

/** How often the app is read while a start goes on. */
const POLL_MS = 1000;

/** Seconds since `since`, counting while it is set. */
function useElapsed(since: number | undefined): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (since === undefined) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [since]);
  return since === undefined ? 0 : Math.max(0, Math.floor((now - since) / 1000));
}

/**
 * The app read every second while `watching`, passed to `onRead`: its `start` tells the step, and a start asked for
 * elsewhere (another tab, the CLI) is seen to end. One read at a time, however slow the cloud answers.
 */
function usePolling(appId: string, watching: boolean, onRead: (app: App) => void): void {
  // The latest callback, so a read answers with the page as it is by then.
  const latest = useRef(onRead);
  latest.current = onRead;
  useEffect(() => {
    if (!watching) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gone = false;
    const read = () =>
      request<App>('GET', `/apps/${encodeURIComponent(appId)}`)
        // A failed read is tried again at the next tick: the start's own answer reports what went wrong.
        .then(
          (app) => !gone && latest.current(app),
          () => {},
        )
        .finally(() => {
          if (!gone) timer = setTimeout(read, POLL_MS);
        });
    timer = setTimeout(read, POLL_MS);
    return () => {
      gone = true;
      clearTimeout(timer);
    };
  }, [appId, watching]);
}

/** The status alone: all that those the cloud would not let start or stop the app (a grantee below WRITE) see. */
export const Status = ({ status }: { status: App['status'] }) => (
  <span class={`status ${status}`} aria-label={`Status: ${status}`}>
    {status}
  </span>
);

export function StartStop({ app, onChange }: { app: App; onChange(app: App): void }) {
  const [pending, setPending] = useState<{ action: 'start' | 'stop'; at: number } | undefined>(undefined);
  const change = useAction(async (action: 'start' | 'stop') => {
    setPending({ action, at: Date.now() });
    try {
      onChange(await request<App>('POST', `/apps/${encodeURIComponent(app.id)}/${action}`));
    } finally {
      setPending(undefined);
    }
  });
  const starting = pending?.action === 'start' || app.start !== null;
  // While this page's own start waits, only its step is taken from a read; otherwise the whole app, so the end shows.
  usePolling(app.id, starting, (read) => onChange(pending ? { ...app, start: read.start } : read));
  const since = pending?.at ?? (app.start ? Date.parse(app.start.startedAt) : undefined);
  const elapsed = useElapsed(since);
  const running = app.status === 'running';
  const busy = change.busy || app.start !== null;
  const doing = starting ? `Starting: ${app.start?.phase ?? 'asking the cloud'}…` : 'Stopping: releasing its sandboxes…';
  return (
    <div class="start-stop">
      <Status status={app.status} />
      <button type="button" disabled={busy || running} onClick={() => void change.run('start')}>
        Start
      </button>
      <button type="button" class="secondary" disabled={busy || !running} onClick={() => void change.run('stop')}>
        Stop
      </button>
      {(change.busy || app.start !== null) && (
        <p class="progress" role="status">
          <progress aria-label={starting ? 'Starting' : 'Stopping'} />
          {doing} {elapsed} s
        </p>
      )}
      <ErrorMessage error={change.error} />
    </div>
  );
}
