/** @module The Email and Password form that signing up and logging in share. */
import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage, Field, onSubmit, useAction } from './form.tsx';

interface Props {
  /** The button's name: "Log in" or "Sign up". */
  action: string;
  /** Autocomplete for the password: a new one when signing up. */
  passwordAutocomplete: 'current-password' | 'new-password';
  passwordHint?: string;
  submit(email: string, password: string): Promise<void>;
}

export function CredentialsForm({ action, passwordAutocomplete, passwordHint, submit }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const attempt = useAction(() => submit(email.trim(), password));
  // The console is usable once this form is on screen: a mark the first-load benchmark (bench/console-bench.ts) reads.
  useEffect(() => void performance.mark('edgecourier:form-ready'), []);
  return (
    <form class="card narrow" onSubmit={onSubmit(attempt.run)}>
      <Field label="Email" type="email" autocomplete="email" required maxLength={254} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      <Field
        label="Password"
        type="password"
        autocomplete={passwordAutocomplete}
        required
        maxLength={200}
        hint={passwordHint}
        value={password}
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
      <ErrorMessage error={attempt.error} />
      <button type="submit" disabled={attempt.busy}>
        {action}
      </button>
    </form>
  );
}
