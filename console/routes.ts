/** @module Every page of the console, by path: one module per page; a new page is one more row. */
import type { ComponentType } from 'preact';
import { AppsPage } from './pages/apps.tsx';
import { ActivationPage } from './pages/app/activation.tsx';
import { CodePage } from './pages/app/code.tsx';
import { EndpointsPage } from './pages/app/endpoints.tsx';
import { HistoryPage } from './pages/app/history.tsx';
import { OverviewPage } from './pages/app/overview.tsx';
import { ProfilesPage } from './pages/app/profiles.tsx';
import { RunPage } from './pages/app/run.tsx';
import { SettingsPage } from './pages/app/settings.tsx';
import { SharingPage } from './pages/app/sharing.tsx';
import { VersionsPage } from './pages/app/versions.tsx';
import { ForgotPasswordPage } from './pages/forgot-password.tsx';
import { LogInPage } from './pages/log-in.tsx';
import { ResetPasswordPage } from './pages/reset-password.tsx';
import { SignUpPage } from './pages/sign-up.tsx';
import { TokensPage } from './pages/tokens.tsx';

export interface PageRoute {
  /** The path, with `:name` parameters handed to the page as props. */
  path: string;
  // Each page takes its own parameters; the router hands over what the path names.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  page: ComponentType<any>;
  /**
   * Who may see it: a logged-in user; only someone logged out (the log-in and sign-up pages); or anyone (the reset
   * page: a mailed link may be opened in a browser logged in to any account).
   */
  who: 'user' | 'guest' | 'anyone';
  /** The document's title. */
  title: string;
}

export const routes: PageRoute[] = [
  { path: '/', page: AppsPage, who: 'user', title: 'Apps' },
  { path: '/login', page: LogInPage, who: 'guest', title: 'Log in' },
  { path: '/signup', page: SignUpPage, who: 'guest', title: 'Sign up' },
  { path: '/forgot-password', page: ForgotPasswordPage, who: 'guest', title: 'Reset your password' },
  { path: '/reset-password', page: ResetPasswordPage, who: 'anyone', title: 'Choose a new password' },
  { path: '/tokens', page: TokensPage, who: 'user', title: 'API tokens' },
  { path: '/apps/:appId', page: OverviewPage, who: 'user', title: 'App' },
  { path: '/apps/:appId/code', page: CodePage, who: 'user', title: 'Code' },
  { path: '/apps/:appId/run', page: RunPage, who: 'user', title: 'Run' },
  { path: '/apps/:appId/endpoints', page: EndpointsPage, who: 'user', title: 'Endpoints' },
  { path: '/apps/:appId/history', page: HistoryPage, who: 'user', title: 'History' },
  { path: '/apps/:appId/versions', page: VersionsPage, who: 'user', title: 'Versions' },
  { path: '/apps/:appId/profiles', page: ProfilesPage, who: 'user', title: 'Profiles' },
  { path: '/apps/:appId/settings', page: SettingsPage, who: 'user', title: 'Settings' },
  { path: '/apps/:appId/sharing', page: SharingPage, who: 'user', title: 'Sharing' },
  { path: '/apps/:appId/activations/:activationId', page: ActivationPage, who: 'user', title: 'Activation' },
];
