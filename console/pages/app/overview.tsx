/** @module An app's overview: its functions with their settings, and its endpoints in short. */
import { AppFrame } from '../../components/app-frame.tsx';
import type { App } from '../../types.ts';

function Overview({ app }: { app: App }) {
  return (
    <>
      {app.description && <p>{app.description}</p>}
      <h2>Functions</h2>
      {app.functions.length === 0 ? (
        <p class="muted">No functions yet: add one on the Code page.</p>
      ) : (
        <ul class="list" aria-label="Functions">
          {app.functions.map((fn) => (
            <li key={fn.name}>
              <strong>{fn.name}</strong>
              <span class="muted">
                {fn.language} · {fn.timeoutMs} ms · {fn.memoryMb} MB{fn.idempotent ? ' · idempotent' : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      <h2>Endpoints</h2>
      <p>
        {app.endpoints.length} endpoint{app.endpoints.length === 1 ? '' : 's'}
      </p>
    </>
  );
}

export function OverviewPage({ appId }: { appId: string }) {
  return (
    <AppFrame appId={appId} tab="">
      {(app) => <Overview app={app} />}
    </AppFrame>
  );
}
