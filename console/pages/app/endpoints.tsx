/** @module An app's endpoints: each with its full URL and a ready curl line, and a new one (method, path, function). */
import { useId, useState } from 'preact/hooks';
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

function EndpointList({ endpoints }: { endpoints: Endpoint[] }) {
  if (endpoints.length === 0) return <p class="muted">No endpoints yet.</p>;
  return (
    <ul class="list endpoints" aria-label="Endpoints">
      {endpoints.map((endpoint) => (
        <li key={endpoint.id}>
          <p>
            <strong>
              {endpoint.method} {endpoint.path}
            </strong>{' '}
            → {endpoint.function} <span class="muted">{endpoint.public ? 'public' : 'private'}</span>
          </p>
          <p class="wrap">
            URL: <code aria-label={`URL of ${endpoint.method} ${endpoint.path}`}>{endpoint.url}</code>
          </p>
          <pre class="wrap" aria-label={`curl for ${endpoint.method} ${endpoint.path}`}>
            {curlOf(endpoint)}
          </pre>
        </li>
      ))}
    </ul>
  );
}

function AddEndpoint({ app, onAdded }: { app: App; onAdded(): Promise<void> }) {
  const methodId = useId();
  const functionId = useId();
  const [method, setMethod] = useState('POST');
  const [path, setPath] = useState('/');
  const [fn, setFn] = useState(app.functions[0]?.name ?? '');
  const [isPublic, setPublic] = useState(true);
  const add = useAction(async () => {
    await request('POST', `/apps/${encodeURIComponent(app.id)}/endpoints`, { method, path: path.trim(), function: fn, public: isPublic });
    await onAdded();
  });
  if (app.functions.length === 0) return <p class="muted">Add a function on the Code page first: an endpoint calls one.</p>;
  return (
    <form class="card" aria-label="Add an endpoint" onSubmit={onSubmit(add.run)}>
      <h2>Add an endpoint</h2>
      <div class="field">
        <label for={methodId}>Method</label>
        <select id={methodId} value={method} onChange={(e) => setMethod(e.currentTarget.value)}>
          {METHODS.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </div>
      <Field label="Path" required maxLength={256} value={path} onInput={(e) => setPath(e.currentTarget.value)} />
      <div class="field">
        <label for={functionId}>Function</label>
        <select id={functionId} value={fn} onChange={(e) => setFn(e.currentTarget.value)}>
          {app.functions.map((f) => (
            <option key={f.name}>{f.name}</option>
          ))}
        </select>
      </div>
      <label class="check">
        <input type="checkbox" checked={isPublic} onChange={(e) => setPublic(e.currentTarget.checked)} /> Public: anyone may call it, without a token
      </label>
      <ErrorMessage error={add.error} />
      <button type="submit" disabled={add.busy}>
        Add endpoint
      </button>
    </form>
  );
}

export function EndpointsPage({ appId }: { appId: string }) {
  return (
    <AppFrame appId={appId} tab="/endpoints">
      {(app, reload) => (
        <>
          <EndpointList endpoints={app.endpoints} />
          <AddEndpoint app={app} onAdded={reload} />
        </>
      )}
    </AppFrame>
  );
}
