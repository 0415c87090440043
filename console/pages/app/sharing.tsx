/**
 * @module An app's sharing: its grants (GET /apps/:appId/grants), each revocable, and a form to give an account (by its
 * address) or everyone an access level. Grants are listed and changed with FULL_CONTROL only; others are told so.
 */
import { useId, useState } from 'preact/hooks';
import { ACCESS_LEVELS, allows, EVERYONE, type Access, type Grant } from '../../../api/grants.ts';
import { request } from '../../api.ts';
import { AppFrame } from '../../components/app-frame.tsx';
import { ErrorMessage, Field, onSubmit, useAction } from '../../components/form.tsx';
import { useLoad } from '../../components/use-load.ts';
import { formErrors } from '../../field-errors.ts';
import type { App } from '../../types.ts';

/** What each level allows, in short (docs/http-api.md, "Sharing"); each allows what the ones before it do. */
const MEANING: Record<Access, string> = {
  READ: 'READ sees its settings, code, files and versions.',
  RUN: 'RUN also calls its private endpoints and runs its functions.',
  WRITE: 'WRITE also changes its code and settings, starts, stops and rolls it back.',
  FULL_CONTROL: 'FULL_CONTROL may do what its owner does: share it, set its secrets, delete it.',
};

const granteeName = (grantee: string) => (grantee === EVERYONE ? 'everyone' : grantee);

function ShareForm({ grantsPath, onShared }: { grantsPath: string; onShared(): Promise<void> }) {
  const [who, setWho] = useState<'account' | 'everyone'>('account');
  const [email, setEmail] = useState('');
  const [access, setAccess] = useState<Access>('READ');
  const accessId = useId();
  const share = useAction(async () => {
    const grantee = who === 'everyone' ? EVERYONE : email.trim();
    await request('PUT', `${grantsPath}/${encodeURIComponent(grantee)}`, { access });
    setEmail('');
    await onShared();
  });
  // The access is picked from a list: only the address (a malformed one, or one without an account) can be wrong by itself.
  const errors = formErrors(share.error, ['grantee']);
  return (
    <form class="card" aria-label="Share" onSubmit={onSubmit(share.run)}>
      <fieldset class="plain">
        <legend>Share with</legend>
        <label class="check">
          <input type="radio" name="who" checked={who === 'account'} onChange={() => setWho('account')} /> An account
        </label>
        <label class="check">
          <input type="radio" name="who" checked={who === 'everyone'} onChange={() => setWho('everyone')} /> Everyone, signed in or not (READ or RUN only)
        </label>
      </fieldset>
      {who === 'account' && (
        <Field
          label="Email"
          inputMode="email"
          autocomplete="off"
          maxLength={254}
          hint="The address of an account of this cloud."
          error={errors.byField.grantee}
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
      )}
      <div class="field">
        <label for={accessId}>Access</label>
        <select id={accessId} aria-describedby={`${accessId}-hint`} value={access} onChange={(e) => setAccess(e.currentTarget.value as Access)}>
          {ACCESS_LEVELS.map((level) => (
            <option key={level} value={level}>
              {level}
            </option>
          ))}
        </select>
        <p class="hint" id={`${accessId}-hint`}>
          {MEANING[access]}
        </p>
      </div>
      <ErrorMessage error={errors.rest} />
      <button type="submit" disabled={share.busy}>
        Share
      </button>
    </form>
  );
}

function Grants({ app }: { app: App }) {
  const grantsPath = `/apps/${encodeURIComponent(app.id)}/grants`;
  const loaded = useLoad(() => request<{ grants: Grant[] }>('GET', grantsPath), [grantsPath]);
  // The list is read again after each change, and after a refusal too: another controller may have changed it.
  const revoke = useAction(async (grantee: string) => {
    try {
      await request('DELETE', `${grantsPath}/${encodeURIComponent(grantee)}`);
    } finally {
      await loaded.reload();
    }
  });
  if (loaded.error !== undefined) return <ErrorMessage error={loaded.error} />;
  if (!loaded.value) return <p class="muted">Loading the grants…</p>;
  const { grants } = loaded.value;
  return (
    <>
      <ErrorMessage error={revoke.error} />
      {grants.length === 0 ? (
        <p class="muted">Shared with nobody: only you see it.</p>
      ) : (
        <ul class="list" aria-label="Grants">
          {grants.map((grant) => (
            <li key={grant.grantee}>
              <strong>{granteeName(grant.grantee)}</strong>
              <span class="status">{grant.access}</span>
              <span class="muted">since {new Date(grant.updatedAt).toLocaleString()}</span>
              <button
                type="button"
                class="secondary"
                disabled={revoke.busy}
                aria-label={`Revoke ${granteeName(grant.grantee)}`}
                onClick={() => void revoke.run(grant.grantee)}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <h2>Share it</h2>
      <ShareForm grantsPath={grantsPath} onShared={loaded.reload} />
    </>
  );
}

function Sharing({ app }: { app: App }) {
  return (
    <section aria-labelledby="sharing-title">
      <h2 id="sharing-title">Sharing</h2>
      {allows(app.access, 'FULL_CONTROL') ? (
        <Grants app={app} />
      ) : (
        <p class="notice" role="note">
          {`This app is shared with you with ${app.access} access: only those with FULL_CONTROL see and change whom it is shared with.`}
        </p>
      )}
    </section>
  );
}

export function SharingPage({ appId }: { appId: string }) {
  return (
    <AppFrame appId={appId} tab="/sharing">
      {(app) => <Sharing app={app} />}
    </AppFrame>
  );
}
