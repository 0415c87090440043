/** @module The log-in page. */
import { CredentialsForm } from '../components/credentials-form.tsx';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';

export function LogInPage() {
  const session = useSession();
  return (
    <section>
      <h1>Log in</h1>
      <CredentialsForm
        action="Log in"
        passwordAutocomplete="current-password"
        submit={async (email, password) => {
          await session.logIn(email, password);
          navigate('/', { replace: true });
        }}
      />
      <p>
        <Link href="/forgot-password">Forgot password?</Link>
      </p>
      <p>
        No account yet? <Link href="/signup">Sign up</Link>
      </p>
    </section>
  );
}
