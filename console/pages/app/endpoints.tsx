/** @module An app's endpoints: each with its full URL and a ready curl line, edited in place or deleted, and a new one (method, path, function). */
import { useId, useState } from 'preact/hooks';
import { allows } from '../../../api/grants.ts';
import { request } from '../../api.ts';
import { AppFrame } from '../../components/app-frame.tsx';
import { ErrorMessage, Field, onSubmit, useAction } from '../../components/form.tsx';
import type { App, Endpoint } from '../../types.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** A shell word in single quotes, as curl is typed. */
const quoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/** A curl line that calls the endpoint: a GET takes its input from the query, the others a JSON envelope. */
function curlOf(endpoint: Endpoint): string {
  const auth = endpoint.public ? '' : ' -H "Authorization: Bearer $EDGECOURIER_TOKEN"';
  if (endpoint.method === 'GET') return `curl${auth} ${quoted(endpoint.url)}`;
  return `curl -X ${endpoint.method}${auth} -H 'content-type: application/json' -d '{"input":{}}' ${quoted(endpoint.url)}`;
}

/** What the endpoint forms edit: the fields POST and PATCH /apps/:appId/endpoints take. */
interface Draft {
  method: string;
  path: string;
  function: string;
  public: boolean;
}

const draftOf = ({ method, path, function: fn, public: isPublic }: Endpoint): Draft => ({ method, path, function: fn, public: isPublic });

/** The form to add an endpoint and to edit one: the same fields, a different request (`save`) and title. */
function EndpointForm(props: { app: App; title: string; submit: string; initial: Draft; save(draft: Draft): Promise<void>; onCancel?(): void }) {
  const { app, title, submit, initial, save, onCancel } = props;
  const methodId = useId();
  const functionId = useId();
  const [draft, setDraft] = useState(initial);
  const set = (change: Partial<Draft>) => setDraft((old) => ({ ...old, ...change }));
  const send = useAction(() => save({ ...draft, path: draft.path.trim() }));
  return (
    <form class="card" aria-label={title} onSubmit={onSubmit(send.run)}>
      <h2>{title}</h2>
      <div class="field">
        <label for={methodId}>Method</label>
        <select id={methodId} value={draft.method} onChange={(e) => set({ method: e.currentTarget.value })}>
          {METHODS.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </div>
      <Field label="Path" required maxLength={256} value={draft.path} onInput={(e) => set({ path: e.currentTarget.value })} />
      <div class="field">
        <label for={functionId}>Function</label>
        <select id={functionId} value={draft.function} onChange={(e) => set({ function: e.currentTarget.value })}>
          {app.functions.map((f) => (
            <option key={f.name}>{f.name}</option>
          ))}
        </select>
      </div>
      <label class="check">
        <input type="checkbox" checked={draft.public} onChange={(e) => set({ public: e.currentTarget.checked })} /> Public: anyone may call it, without a token
      </label>
      <ErrorMessage error={send.error} />
      <button type="submit" disabled={send.busy}>
        {submit}
      </button>
      {onCancel && (
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      )}
    </form>
  );
}

/** One endpoint: its URL and curl line; for those who may change the app, Edit (the form in place) and Delete. */
function EndpointItem({ app, endpoint, onChange }: { app: App; endpoint: Endpoint; onChange(): Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const name = `${endpoint.method} ${endpoint.path}`;
  const base = `/apps/${encodeURIComponent(app.id)}/endpoints/${encodeURIComponent(endpoint.id)}`;
  const remove = useAction(async () => {
    if (!confirm(`Delete the endpoint ${name}? Its URL answers 404 from then on.`)) return;
    await request('DELETE', base);
    await onChange();
  });
  const save = async (draft: Draft) => {
    await request('PATCH', base, draft);
    setEditing(false);
    await onChange();
  };
  return (
    <li>
      <p>
        <strong>{name}</strong> → {endpoint.function} <span class="muted">{endpoint.public ? 'public' : 'private'}</span>
      </p>
      <p class="wrap">
        URL: <code aria-label={`URL of ${name}`}>{endpoint.url}</code>
      </p>
      <pre class="wrap" aria-label={`curl for ${name}`}>
        {curlOf(endpoint)}
      </pre>
      {allows(app.access, 'WRITE') &&
        (editing ? (
          <EndpointForm app={app} title={`Edit ${name}`} submit="Save" initial={draftOf(endpoint)} save={save} onCancel={() => setEditing(false)} />
        ) : (
          <p class="actions">
            <button type="button" class="secondary" aria-label={`Edit ${name}`} onClick={() => setEditing(true)}>
              Edit
            </button>{' '}
            <button type="button" class="danger" aria-label={`Delete ${name}`} disabled={remove.busy} onClick={() => void remove.run()}>
              Delete
            </button>
          </p>
        ))}
      <ErrorMessage error={remove.error} />
    </li>
  );
}

function EndpointList({ app, onChange }: { app: App; onChange(): Promise<void> }) {
  if (app.endpoints.length === 0) return <p class="muted">No endpoints yet.</p>;
  return (
    <ul class="list endpoints" aria-label="Endpoints">
      {app.endpoints.map((endpoint) => (
        <EndpointItem key={endpoint.id} app={app} endpoint={endpoint} onChange={onChange} />
      ))}
    </ul>
  );
}

function AddEndpoint({ app, onAdded }: { app: App; onAdded(): Promise<void> }) {
  if (app.functions.length === 0) return <p class="muted">Add a function on the Code page first: an endpoint calls one.</p>;
  const add = async (draft: Draft) => {
    await request('POST', `/apps/${encodeURIComponent(app.id)}/endpoints`, draft);
    await onAdded();
  };
  const initial = { method: 'POST', path: '/', function: app.functions[0]?.name ?? '', public: true };
  return <EndpointForm app={app} title="Add an endpoint" submit="Add endpoint" initial={initial} save={add} />;
}

export function EndpointsPage({ appId }: { appId: string }) {
  return (
    <AppFrame appId={appId} tab="/endpoints">
      {(app, reload) => (
        <>
          <EndpointList app={app} onChange={reload} />
          <AddEndpoint app={app} onAdded={reload} />
        </>
      )}
    </AppFrame>
  );
}
