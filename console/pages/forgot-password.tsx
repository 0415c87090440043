/** @module The forgot-password page: asks for a mailed reset link, with the same answer whether or not the address has an account. */
import { useState } from 'preact/hooks';
import { request } from '../api.ts';
import { ErrorMessage, Field, onSubmit, useAction } from '../components/form.tsx';
import { Link } from '../router.tsx';

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [answer, setAnswer] = useState<string | undefined>(undefined);
  const send = useAction(async () => {
    const { message } = await request<{ message: string }>('POST', '/password-resets', { email: email.trim() });
    setAnswer(message.charAt(0).toUpperCase() + message.slice(1) + '.');
  });
  return (
    <section>
      <h1>Reset your password</h1>
      {answer ? (
        <p class="card narrow" role="status">
          {answer}
        </p>
      ) : (
        <form class="card narrow" aria-label="Reset your password" onSubmit={onSubmit(send.run)}>
          <p class="hint">We mail a link to this address; open it to choose a new password.</p>
          <Field label="Email" type="email" autocomplete="email" required maxLength={254} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          <ErrorMessage error={send.error} />
          <button type="submit" disabled={send.busy}>
            Send reset link
          </button>
        </form>
      )}
      <p>
        Remembered it? <Link href="/login">Log in</Link>
      </p>
    </section>
  );
}
