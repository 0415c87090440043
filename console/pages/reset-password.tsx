/**
 * @module The page a password-reset mail links to: a new password for the token in the link's fragment
 * (`/reset-password#token=…`, never sent to any server but in the confirmation's body), then a link to log in.
 */
import { useState } from 'preact/hooks';
import { ApiError, request } from '../api.ts';
import { ErrorMessage, Field, onSubmit, useAction } from '../components/form.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';

/** The rule the cloud checks (passwordSchema and assertStrongPassword), said before the person types. */
const PASSWORD_HINT =
  '8 to 72 characters (a letter beyond plain ASCII, such as é, counts as two or more), hard to guess: three or four unrelated words work well.';

const tokenInAddress = () => new URLSearchParams(location.hash.slice(1)).get('token') ?? '';

function AskAgain() {
  return (
    <p>
      <Link href="/forgot-password">Ask for a new reset link</Link>
    </p>
  );
}

function Changed() {
  return (
    <section>
      <h1>Your password is changed</h1>
      <p>
        Every session and API token from before the change is revoked: log in again here and with <code>edgecourier login</code>, and give couriers new tokens.
      </p>
      <p>
        <Link href="/login">Log in</Link>
      </p>
    </section>
  );
}

export function ResetPasswordPage() {
  const session = useSession();
  const [token] = useState(tokenInAddress);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [changed, setChanged] = useState(false);
  const attempt = useAction(async () => {
    if (password !== again) throw new Error('The two passwords differ: type the same new password twice.');
    await request('POST', '/password-resets/confirm', { token, password });
    // The token is used up; the address need not keep it.
    history.replaceState(null, '', location.pathname);
    setChanged(true);
    // The reset revoked the account's sessions, this browser's among them when it was logged in as that account.
    await session.refresh();
  });
  if (changed) return <Changed />;
  if (!token)
    return (
      <section>
        <h1>This link is incomplete</h1>
        <p>Open the whole link from the reset mail, or ask for a new mail.</p>
        <AskAgain />
      </section>
    );
  const spent = attempt.error instanceof ApiError && attempt.error.code === 'RESET_TOKEN_INVALID';
  return (
    <section>
      <h1>Choose a new password</h1>
      <form class="card narrow" aria-label="Choose a new password" onSubmit={onSubmit(attempt.run)}>
        <Field
          label="New password"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          maxLength={72}
          hint={PASSWORD_HINT}
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <Field
          label="New password again"
          type="password"
          autocomplete="new-password"
          required
          maxLength={72}
          value={again}
          onInput={(e) => setAgain(e.currentTarget.value)}
        />
        <ErrorMessage error={attempt.error} />
        {spent && <AskAgain />}
        <button type="submit" disabled={attempt.busy}>
          Set new password
        </button>
      </form>
    </section>
  );
}
