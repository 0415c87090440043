/** @module The apps page: the apps of the account with their status, and a new app. */
import { useState } from 'preact/hooks';
import { request } from '../api.ts';
import { ErrorMessage, Field, onSubmit, useAction } from '../components/form.tsx';
import { useLoad } from '../components/use-load.ts';
import { Link, navigate } from '../router.tsx';
import type { App } from '../types.ts';

function NewAppForm({ onCancel }: { onCancel(): void }) {
  const [name, setName] = useState('');
  const create = useAction(async () => {
    const app = await request<App>('POST', '/apps', { name: name.trim() });
    navigate(`/apps/${encodeURIComponent(app.id)}/code`);
  });
  return (
    <form class="card" aria-label="New app" onSubmit={onSubmit(create.run)}>
      <Field
        label="Name"
        required
        maxLength={64}
        pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,63}"
        hint="Letters, digits, - and _, starting with a letter or digit."
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <ErrorMessage error={create.error} />
      <div class="actions">
        <button type="submit" disabled={create.busy}>
          Create
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function AppsPage() {
  const apps = useLoad(() => request<{ apps: App[] }>('GET', '/apps'), []);
  const [creating, setCreating] = useState(false);
  return (
    <section>
      <div class="title-row">
        <h1>Apps</h1>
        {!creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New app
          </button>
        )}
      </div>
      {creating && <NewAppForm onCancel={() => setCreating(false)} />}
      <ErrorMessage error={apps.error} />
      {apps.value && apps.value.apps.length === 0 && <p>No apps yet: make one with New app.</p>}
      {apps.value && apps.value.apps.length > 0 && (
        <ul class="list" aria-label="Your apps">
          {apps.value.apps.map((app) => (
            <li key={app.id}>
              <Link href={`/apps/${encodeURIComponent(app.id)}`}>{app.name}</Link>
              <span class={`status ${app.status}`}>{app.status}</span>
              {!app.owned && <span class="muted">shared with you: {app.access}</span>}
              <span class="muted">
                {app.functions.length} function{app.functions.length === 1 ? '' : 's'}, {app.endpoints.length} endpoint
                {app.endpoints.length === 1 ? '' : 's'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
