/** @module Who is logged in: asked of the cloud when the console loads (and after a password reset), set by logging in, cleared by logging out. */
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { onSessionEnded, request, setCsrfToken } from './api.ts';
import type { SessionAnswer, User } from './types.ts';

export interface Session {
  /** The user, null when nobody is logged in, undefined while the console asks. */
  user: User | null | undefined;
  logIn(email: string, password: string): Promise<void>;
  logOut(): Promise<void>;
  /** Asks the cloud again who this browser's session is: after a password reset, which may have ended it. */
  refresh(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

function startSession(answer: SessionAnswer): User {
  setCsrfToken(answer.csrfToken);
  return answer.user;
}

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const ask = async () => {
    // Answers { user: null } rather than 401 for nobody, so that a first visit logs no failed request. When the cloud
    // does not answer, the log-in page shows why as the person tries.
    const answer = await request<SessionAnswer | { user: null }>('GET', '/sessions/current').catch(() => ({ user: null }));
    if (!answer.user) setCsrfToken(undefined);
    setUser(answer.user && startSession(answer as SessionAnswer));
  };
  useEffect(() => {
    onSessionEnded(() => {
      setCsrfToken(undefined);
      setUser(null);
    });
    void ask();
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
    refresh: ask,
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a SessionProvider');
  return session;
}
