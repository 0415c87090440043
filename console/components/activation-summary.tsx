/** @module One activation in a line: its function (a link to its detail), trigger, outcome, duration and start time. */
import type { Activation } from '../../api/activations.ts';
import { Link } from '../router.tsx';

/** The detail page of an activation of the app. */
export const activationHref = (appId: string, id: string) => `/apps/${encodeURIComponent(appId)}/activations/${encodeURIComponent(id)}`;

/** A duration as people read it: milliseconds below a second, seconds above. */
export const formatDuration = (ms: number) => (ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`);

export function ActivationSummary({ activation: a }: { activation: Activation }) {
  const ok = a.outcome === 'ok';
  return (
    <>
      <Link href={activationHref(a.appId, a.id)} aria-label={`${a.function} at ${a.start}`}>
        <strong>{a.function}</strong>
      </Link>
      <span class="muted">{a.trigger}</span>
      <span class={ok ? 'ok' : 'failed'}>{a.outcome}</span>
      <span class="muted">{formatDuration(a.durationMs)}</span>
      <time class="muted" dateTime={a.start}>
        {new Date(a.start).toLocaleString()}
      </time>
    </>
  );
}
