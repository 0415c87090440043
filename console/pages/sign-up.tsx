/** @module The sign-up page: the account is made, then logged in. */
import { request } from '../api.ts';
import { CredentialsForm } from '../components/credentials-form.tsx';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';

export function SignUpPage() {
  const session = useSession();
  return (
    <section>
      <h1>Sign up</h1>
      <CredentialsForm
        action="Sign up"
        passwordAutocomplete="new-password"
        passwordHint="8 to 72 characters, hard to guess: three or four unrelated words work well."
        submit={async (email, password) => {
          await request('POST', '/accounts', { email, password });
          await session.logIn(email, password);
          navigate('/', { replace: true });
        }}
      />
      <p>
        Have an account? <Link href="/login">Log in</Link>
      </p>
    </section>
  );
}
