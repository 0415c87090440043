/** @module The API tokens page: the account's tokens for the CLI and couriers; a new one shown once; revoking one. */
import { useState } from 'preact/hooks';
import { request } from '../api.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { ErrorMessage, Field, onSubmit, useAction } from '../components/form.tsx';
import { useLoad } from '../components/use-load.ts';
import type { ApiToken, NewApiToken } from '../types.ts';

/** The new token's value, on screen until the person says they have it: the cloud keeps only its hash. */
function NewToken({ made, onDone }: { made: NewApiToken; onDone(): void }) {
  return (
    <section class="card" aria-labelledby="new-token">
      <h2 id="new-token">Your new token {made.name}</h2>
      <p>
        <strong>Copy it now: you will not see it again.</strong> It acts as you on the API (<code>Authorization: Bearer …</code>), so keep it as secret as a
        password.
      </p>
      <input readOnly aria-label="New token" class="mono" value={made.token} onFocus={(e) => e.currentTarget.select()} />
      <div class="actions">
        <CopyButton text={made.token} label="Copy token" />
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}

function NewTokenForm({ onMade }: { onMade(made: NewApiToken): Promise<void> }) {
  const [name, setName] = useState('');
  const create = useAction(async () => {
    await onMade(await request<NewApiToken>('POST', '/tokens', { name: name.trim() }));
    setName('');
  });
  return (
    <form class="card" aria-label="New API token" onSubmit={onSubmit(create.run)}>
      <Field
        label="Token name"
        required
        maxLength={100}
        hint="What will use it, such as “laptop” or “courier at home”."
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <ErrorMessage error={create.error} />
      <button type="submit" disabled={create.busy}>
        Create token
      </button>
    </form>
  );
}

function TokenList({ tokens, onRevoked }: { tokens: ApiToken[]; onRevoked(): Promise<void> }) {
  const revoke = useAction(async (token: ApiToken) => {
    if (!confirm(`Revoke the API token ${token.name}? Whatever uses it is refused from then on.`)) return;
    await request('DELETE', `/tokens/${encodeURIComponent(token.id)}`);
    await onRevoked();
  });
  if (tokens.length === 0) return <p class="muted">No API tokens yet.</p>;
  return (
    <>
      <ErrorMessage error={revoke.error} />
      <ul class="list" aria-label="API tokens">
        {tokens.map((token) => (
          <li key={token.id}>
            <strong>{token.name}</strong>
            <span class="muted">made {new Date(token.createdAt).toLocaleString()}</span>
            <button type="button" class="secondary" aria-label={`Revoke ${token.name}`} disabled={revoke.busy} onClick={() => void revoke.run(token)}>
              Revoke
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

export function TokensPage() {
  const tokens = useLoad(() => request<{ tokens: ApiToken[] }>('GET', '/tokens'), []);
  const [made, setMade] = useState<NewApiToken | undefined>(undefined);
  return (
    <section>
      <h1>API tokens</h1>
      <p>
        The CLI (<code>edgecourier login</code>) and couriers call the API with a token. Revoke one you no longer use; a password reset revokes them all.
      </p>
      {made && <NewToken made={made} onDone={() => setMade(undefined)} />}
      <NewTokenForm
        onMade={async (token) => {
          setMade(token);
          await tokens.reload();
        }}
      />
      <ErrorMessage error={tokens.error} />
      {tokens.value && <TokenList tokens={tokens.value.tokens} onRevoked={tokens.reload} />}
    </section>
  );
}
