/** @module One activation in detail: what ran and how it ended (the error with its code), its console output, and links to its parent and nested calls. */
import type { Activation } from '../../../api/activations.ts';
import { request } from '../../api.ts';
import { activationHref, formatDuration } from '../../components/activation-summary.tsx';
import { AppFrame } from '../../components/app-frame.tsx';
import { ErrorMessage } from '../../components/form.tsx';
import { useLoad } from '../../components/use-load.ts';
import { Link } from '../../router.tsx';

function Detail({ activation: a }: { activation: Activation }) {
  return (
    <section aria-labelledby="activation-title">
      <p class="crumbs">
        <Link href={`/apps/${encodeURIComponent(a.appId)}/history`}>History</Link> /
      </p>
      <h2 id="activation-title">
        {a.function} <span class="muted wrap">{a.id}</span>
      </h2>
      <dl class="facts" aria-label="Activation">
        <dt>Outcome</dt>
        <dd class={a.outcome === 'ok' ? 'ok' : 'failed'}>{a.outcome}</dd>
        <dt>Trigger</dt>
        <dd>{a.trigger}</dd>
        <dt>Started</dt>
        <dd>
          <time dateTime={a.start}>{new Date(a.start).toLocaleString()}</time>
        </dd>
        <dt>Duration</dt>
        <dd>{formatDuration(a.durationMs)}</dd>
        {a.served && (
          <>
            <dt>Served</dt>
            <dd>{a.served}</dd>
          </>
        )}
        {a.appVersion && (
          <>
            <dt>App version</dt>
            <dd class="wrap">{a.appVersion.slice(0, 12)}</dd>
          </>
        )}
      </dl>
      {a.error && (
        <p class="error" aria-label="Error">
          {a.error.code}: {a.error.message}
        </p>
      )}
      {a.parent && (
        <p>
          Called by <Link href={activationHref(a.appId, a.parent)}>parent activation</Link>
        </p>
      )}
      {a.children.length > 0 && (
        <>
          <h3>Nested calls</h3>
          <ol aria-label="Nested calls">
            {a.children.map((id, index) => (
              <li key={id}>
                <Link href={activationHref(a.appId, id)}>{`nested call ${index + 1}`}</Link> <span class="muted wrap">{id}</span>
              </li>
            ))}
          </ol>
        </>
      )}
      {a.callsNotRecorded !== undefined && <p class="muted">{a.callsNotRecorded} more nested calls were not recorded.</p>}
      <h3>Logs</h3>
      {a.logs.length === 0 ? (
        <p class="muted">No console output.</p>
      ) : (
        <pre aria-label="Logs" class="wrap">
          {a.logs.map((line) => `${line.level}: ${line.message}`).join('\n')}
        </pre>
      )}
    </section>
  );
}

function ActivationView({ id }: { id: string }) {
  const loaded = useLoad(() => request<Activation>('GET', `/activations/${encodeURIComponent(id)}`), [id]);
  if (loaded.error !== undefined) return <ErrorMessage error={loaded.error} />;
  if (!loaded.value) return <p class="muted">Loading the activation…</p>;
  return <Detail activation={loaded.value} />;
}

export function ActivationPage({ appId, activationId }: { appId: string; activationId: string }) {
  return (
    <AppFrame appId={appId} tab="/history">
      {() => <ActivationView id={activationId} />}
    </AppFrame>
  );
}
