/**
 * @module An app's versions, newest first: tag, id, author, time and message, which one is active and which are
 * frozen; Roll back makes one active (WRITE), Freeze and Unfreeze keep one for ever or not (FULL_CONTROL).
 */
import { request } from '../../api.ts';
import { AppFrame } from '../../components/app-frame.tsx';
import { ErrorMessage, useAction } from '../../components/form.tsx';
import { useLoad } from '../../components/use-load.ts';
import type { Version } from '../../types.ts';

/** How a version is named to people: its tag, else the start of its id (the API takes 7 digits or more). */
const versionName = (version: Pick<Version, 'id' | 'tag'>) => version.tag ?? version.id.slice(0, 12);

function VersionItem({ version, busy, onRollback, onFreeze }: { version: Version; busy: boolean; onRollback(): void; onFreeze(): void }) {
  const name = versionName(version);
  return (
    <li>
      <p>
        <strong>{version.tag ?? 'untagged'}</strong> <code>{version.id.slice(0, 12)}</code>
        {version.active && <span class="status running">active</span>}
        {version.frozen && <span class="status">frozen</span>}
      </p>
      <p class="muted">
        {version.author ?? 'another account'} · <time dateTime={version.createdAt}>{new Date(version.createdAt).toLocaleString()}</time>
      </p>
      <p class="wrap">{version.message}</p>
      <p class="actions">
        <button type="button" disabled={busy || version.active} aria-label={`Roll back to ${name}`} onClick={onRollback}>
          Roll back
        </button>
        <button type="button" class="secondary" disabled={busy} aria-label={`${version.frozen ? 'Unfreeze' : 'Freeze'} ${name}`} onClick={onFreeze}>
          {version.frozen ? 'Unfreeze' : 'Freeze'}
        </button>
      </p>
    </li>
  );
}

function Versions({ appId, onRolledBack }: { appId: string; onRolledBack(): Promise<void> }) {
  const base = `/apps/${encodeURIComponent(appId)}/versions`;
  const loaded = useLoad(() => request<{ versions: Version[] }>('GET', base), [base]);
  // One change at a time; the list is asked again after each, as the server decides what changed (the active one).
  const change = useAction(async (version: Version, what: 'rollback' | 'freeze') => {
    const path = `${base}/${encodeURIComponent(version.id)}`;
    try {
      if (what === 'rollback') {
        await request('POST', `${path}/activate`);
        await onRolledBack();
      } else await request('PATCH', path, { frozen: !version.frozen });
    } finally {
      await loaded.reload();
    }
  });
  if (loaded.error !== undefined) return <ErrorMessage error={loaded.error} />;
  if (!loaded.value) return <p class="muted">Loading the versions…</p>;
  const { versions } = loaded.value;
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <ErrorMessage error={change.error} />
      {change.busy && (
        <p class="progress" role="status">
          <progress aria-label="Changing" /> Changing the versions: a rollback of a running app warms it on the version…
        </p>
      )}
      {versions.length === 0 ? (
        <p class="muted">No versions yet: each change of the app's content makes one.</p>
      ) : (
        <ul class="list versions" aria-label="Versions">
          {versions.map((version) => (
            <VersionItem
              key={version.id}
              version={version}
              busy={change.busy}
              onRollback={() => void change.run(version, 'rollback')}
              onFreeze={() => void change.run(version, 'freeze')}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

export function VersionsPage({ appId }: { appId: string }) {
  return (
    <AppFrame appId={appId} tab="/versions">
      {(_app, reload) => <Versions appId={appId} onRolledBack={reload} />}
    </AppFrame>
  );
}
