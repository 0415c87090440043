/** @module Who is logged in: asked of GET /me when the console loads, set by logging in, cleared by logging out. */
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { onSessionEnded, request, setCsrfToken } from './api.ts';
import type { SessionAnswer, User } from './types.ts';

export interface Session {
  /** The user, null when nobody is logged in, undefined while the console asks. */
  user: User | null | undefined;
  logIn(email: string, password: string): Promise<void>;
  logOut(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

function startSession(answer: SessionAnswer): User {
  setCsrfToken(answer.csrfToken);
  return answer.user;
}

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  useEffect(() => {
    onSessionEnded(() => {
      setCsrfToken(undefined);
      setUser(null);
    });
    // Answers { user: null } rather than 401 for nobody, so that a first visit logs no failed request.
    request<SessionAnswer | { user: null }>('GET', '/sessions/current').then(
      (answer) => setUser(answer.user && startSession(answer as SessionAnswer)),
      // The cloud did not answer: the log-in page shows why when the person tries.
      () => setUser(null),
    );
  }, []);
  const session: Session = {
    user,
    async logIn(email, password) {
      setUser(startSession(await request<SessionAnswer>('POST', '/sessions', { email, password })));
    },
    async logOut() {
      await request('DELETE', '/sessions/current');
      setCsrfToken(undefined);
      setUser(null);
    },
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a SessionProvider');
  return session;
}
