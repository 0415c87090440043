/**
 * @module An app's recent activations, newest first and live: the latest page of the list, then each new one as the
 * follow stream announces it, each linked to its detail.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Activation, ActivationPage } from '../../../api/activations.ts';
import { follow, request } from '../../api.ts';
import { ActivationSummary } from '../../components/activation-summary.tsx';
import { AppFrame } from '../../components/app-frame.tsx';
import { ErrorMessage } from '../../components/form.tsx';

/** How many are shown: the list route's largest page; older ones drop off as new ones arrive. */
const SHOWN = 100;

/** The latest activations, then the ones that follow them as they are recorded. */
function useLiveActivations(appId: string): { activations: Activation[] | undefined; error: unknown } {
  const [activations, setActivations] = useState<Activation[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let stop: (() => void) | undefined;
    let ended = false;
    const path = `/apps/${encodeURIComponent(appId)}/activations`;
    request<ActivationPage>('GET', `${path}?limit=${SHOWN}`).then(({ activations: latest }) => {
      if (ended) return;
      setActivations(latest);
      // Following from the newest listed one: an activation recorded between the two requests is not lost.
      const after = latest[0] ? `?after=${latest[0].seq}` : '';
      stop = follow<Activation>(`${path}/follow${after}`, 'activation', (activation) =>
        setActivations((shown = []) => [activation, ...shown.filter((a) => a.id !== activation.id)].slice(0, SHOWN)),
      );
    }, setError);
    return () => {
      ended = true;
      stop?.();
    };
  }, [appId]);
  return { activations, error };
}

function History({ appId }: { appId: string }) {
  const { activations, error } = useLiveActivations(appId);
  if (error !== undefined) return <ErrorMessage error={error} />;
  if (!activations) return <p class="muted">Loading the activations…</p>;
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Recent activations</h2>
      <p class="muted">New ones appear here as they happen.</p>
      {activations.length === 0 ? (
        <p class="muted">No activations yet: run a function or call an endpoint.</p>
      ) : (
        <ul class="list" aria-label="Activations">
          {activations.map((activation) => (
            <li key={activation.id}>
              <ActivationSummary activation={activation} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function HistoryPage({ appId }: { appId: string }) {
  return (
    <AppFrame appId={appId} tab="/history">
      {() => <History appId={appId} />}
    </AppFrame>
  );
}
