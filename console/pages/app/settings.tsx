/**
 * @module An app's settings: its name and description, and each function's idempotent, timeout, memory and public
 * settings, each form saved on its own. Read-only, saying why, for a folder app (its folder is its source) and for
 * those whose access is below WRITE.
 */
import { allows } from '../../../api/grants.ts';
import { AppDetailsForm } from '../../components/app-details-form.tsx';
import { AppFrame } from '../../components/app-frame.tsx';
import { FunctionSettings } from '../../components/function-settings.tsx';
import type { App } from '../../types.ts';

/** Why the viewer cannot change the app's settings, or undefined when it can: the cloud would refuse with these codes. */
function whyReadOnly(app: App): string | undefined {
  if (app.source === 'folder')
    return 'APP_FROM_FOLDER: this app comes from a synced folder, which is its source: change app.json and its files in the folder (each change makes a new version).';
  if (!allows(app.access, 'WRITE')) return `FORBIDDEN: you have ${app.access} access to this app; WRITE is needed to change its settings.`;
  return undefined;
}

function Settings({ app, reload }: { app: App; reload(): Promise<void> }) {
  const readOnly = whyReadOnly(app);
  return (
    <>
      {readOnly && (
        <p class="notice" role="note">
          {readOnly}
        </p>
      )}
      <h2>App</h2>
      <AppDetailsForm app={app} editable={!readOnly} onSaved={reload} />
      <h2>Functions</h2>
      {app.functions.length === 0 ? (
        <p class="muted">No functions yet: add one on the Code page.</p>
      ) : (
        app.functions.map((fn) => <FunctionSettings key={fn.name} appId={app.id} fn={fn} editable={!readOnly} onSaved={reload} />)
      )}
    </>
  );
}

export function SettingsPage({ appId }: { appId: string }) {
  return (
    <AppFrame appId={appId} tab="/settings">
      {(app, reload) => <Settings app={app} reload={reload} />}
    </AppFrame>
  );
}
