/**
 * @module The frame of an app's pages: its name, its status with Start and Stop (start-stop.tsx), Delete, and the tabs
 * to its pages. Each page renders inside it with the app as loaded, and asks for it again after a change.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { allows } from '../../api/grants.ts';
import { request } from '../api.ts';
import { Link, navigate } from '../router.tsx';
import type { App } from '../types.ts';
import { ErrorMessage, useAction } from './form.tsx';
import { StartStop, Status } from './start-stop.tsx';
import { useLoad } from './use-load.ts';

/** The app's pages, in tab order: one module each under pages/app/. */
const tabs = [
  { path: '', label: 'Overview' },
  { path: '/code', label: 'Code' },
  { path: '/run', label: 'Run' },
  { path: '/endpoints', label: 'Endpoints' },
  { path: '/history', label: 'History' },
  { path: '/versions', label: 'Versions' },
  { path: '/profiles', label: 'Profiles' },
  { path: '/settings', label: 'Settings' },
  { path: '/sharing', label: 'Sharing' },
];

interface Props {
  appId: string;
  /** The tab's path below the app, as `tabs` lists them. */
  tab: string;
  children(app: App, reload: () => Promise<void>): ComponentChildren;
}

export function AppFrame({ appId, tab, children }: Props) {
  const loaded = useLoad(() => request<App>('GET', `/apps/${encodeURIComponent(appId)}`), [appId]);
  const [app, setApp] = useState<App | undefined>(undefined);
  useEffect(() => setApp(loaded.value), [loaded.value]);
  const base = `/apps/${encodeURIComponent(appId)}`;
  const remove = useAction(async () => {
    if (!app || !confirm(`Delete the app ${app.name}, its functions, files and endpoints? This cannot be undone.`)) return;
    await request('DELETE', base);
    navigate('/');
  });
  const crumbs = (
    <p class="crumbs">
      <Link href="/">Apps</Link> /
    </p>
  );
  if (loaded.error !== undefined)
    return (
      <section>
        {crumbs}
        <ErrorMessage error={loaded.error} />
      </section>
    );
  if (!app) return <p class="muted">Loading the app…</p>;
  return (
    <section>
      {crumbs}
      <div class="title-row">
        <h1>{app.name}</h1>
        {/* Those the cloud would refuse (a grantee below WRITE) see the status only. */}
        {allows(app.access, 'WRITE') ? <StartStop app={app} onChange={setApp} /> : <Status status={app.status} />}
      </div>
      <nav class="tabs" aria-label="App pages">
        {tabs.map(({ path, label }) => (
          <Link key={path} href={base + path} aria-current={tab === path ? 'page' : undefined}>
            {label}
          </Link>
        ))}
      </nav>
      {children(app, loaded.reload)}
      {tab === '' && allows(app.access, 'FULL_CONTROL') && (
        <div class="danger">
          <ErrorMessage error={remove.error} />
          <button type="button" class="danger" disabled={remove.busy} onClick={() => void remove.run()}>
            Delete
          </button>
        </div>
      )}
    </section>
  );
}
