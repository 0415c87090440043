/** @module The frame of every page: the header with who is logged in, their API tokens and Log out, and the page's main content. */
import type { ComponentChildren } from 'preact';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { ErrorMessage, useAction } from './form.tsx';

export function Layout({ children }: { children: ComponentChildren }) {
  const session = useSession();
  const logOut = useAction(async () => {
    await session.logOut();
    navigate('/login');
  });
  return (
    <>
      <header class="top">
        <Link href="/" class="brand">
          edgecourier
        </Link>
        {session.user && (
          <div class="account">
            <span class="email">{session.user.email}</span>
            <Link href="/tokens">API tokens</Link>
            <button type="button" class="secondary" disabled={logOut.busy} onClick={() => void logOut.run()}>
              Log out
            </button>
          </div>
        )}
      </header>
      <main>
        <ErrorMessage error={logOut.error} />
        {children}
      </main>
    </>
  );
}
