/** @module The console: the session, and the page the address names, sending people who are not logged in to log in. */
import { useEffect } from 'preact/hooks';
import { Layout } from './components/layout.tsx';
import { routes } from './routes.ts';
import { matchRoute, navigate, usePath } from './router.tsx';
import { SessionProvider, useSession } from './session.tsx';

function CurrentPage() {
  const path = usePath();
  const { user } = useSession();
  const found = routes.map((route) => ({ route, params: matchRoute(route.path, path) })).find(({ params }) => params);
  const misplaced = found && user !== undefined && found.route.who !== 'anyone' && (found.route.who === 'user' ? user === null : user !== null);
  useEffect(() => {
    if (found) document.title = `${found.route.title} · edgecourier`;
    if (misplaced) navigate(found.route.who === 'user' ? '/login' : '/', { replace: true });
  }, [found?.route, misplaced]);
  if (user === undefined) return <p class="muted">Loading…</p>;
  if (!found)
    return (
      <section>
        <h1>Not found</h1>
        <p>The console has no page at {path}.</p>
      </section>
    );
  if (misplaced) return null;
  const Page = found.route.page;
  return <Page {...found.params} />;
}

export function ConsoleApp() {
  return (
    <SessionProvider>
      <Layout>
        <CurrentPage />
      </Layout>
    </SessionProvider>
  );
}
