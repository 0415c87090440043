/** @module Access tokens for Microsoft Graph: a fixed one, or one renewed with an OAuth refresh token and cached until shortly before it expires. */
import { z } from 'zod';
import { EdgeError } from '../../base/errors.ts';
import { classifyHttpFailure, withRetry } from '../retry.ts';

/** Resolves with a bearer token for Microsoft Graph. */
export type TokenProvider = () => Promise<string>;

export interface RefreshTokenOptions {
  clientId: string;
  refreshToken: string;
  /** Only for a confidential (web) app registration; public clients have none. */
  clientSecret?: string;
  /** 'consumers' (personal accounts, the default), 'organizations', 'common' or a tenant id. */
  tenant?: string;
  /** The identity platform's address, https://login.microsoftonline.com unless a test points it at an emulator. */
  authorityUrl?: string;
  log?: (line: string) => void;
}

const scope = 'Files.ReadWrite offline_access';
/** Renew this long before the stated expiry, so that a request on its way never carries a token that just ran out. */
const renewalMarginMs = 60_000;

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  refresh_token: z.string().min(1).optional(),
});
const refusal = z.object({ error: z.string(), error_description: z.string().optional() });

/**
 * A provider that trades the refresh token for access tokens, one request at a time however many callers wait,
 * and keeps the newest refresh token the identity platform hands back (it rotates them).
 * @example const token = refreshTokenProvider({ clientId, refreshToken }); await token()
 */
export function refreshTokenProvider(options: RefreshTokenOptions): TokenProvider {
  const endpoint = `${options.authorityUrl ?? 'https://login.microsoftonline.com'}/${encodeURIComponent(options.tenant ?? 'consumers')}/oauth2/v2.0/token`;
  const log = options.log ?? (() => undefined);
  let refreshToken = options.refreshToken;
  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function renew(): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'refresh_token', client_id: options.clientId, refresh_token: refreshToken, scope });
    if (options.clientSecret) form.set('client_secret', options.clientSecret);
    const answer = await withRetry('OneDrive token refresh', () => requestToken(endpoint, form), {
      onRetry: (info) => log(`onedrive: ${info.what} failed (${info.reason}); retry ${info.attempt} in ${info.delayMs} ms`),
    });
    if (answer.refresh_token) refreshToken = answer.refresh_token;
    cached = { token: answer.access_token, renewAt: Date.now() + answer.expires_in * 1000 - renewalMarginMs };
    log(`onedrive: got a new access token, valid for ${answer.expires_in} s`);
    return answer.access_token;
  }

  return () => {
    if (cached && Date.now() < cached.renewAt) return Promise.resolve(cached.token);
    pending ??= renew().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

async function requestToken(endpoint: string, form: URLSearchParams): Promise<z.infer<typeof tokenAnswer>> {
  const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  const text = await response.text();
  if (response.ok) return tokenAnswer.parse(safeJson(text));
  const transient = classifyHttpFailure(response.status, response.headers, text);
  if (transient) throw transient;
  const refused = refusal.safeParse(safeJson(text));
  const reason = refused.success ? `${refused.data.error}: ${refused.data.error_description?.split('\n')[0] ?? ''}` : `HTTP ${response.status}`;
  throw new EdgeError('INVALID_INPUT', `the Microsoft identity platform refused the OneDrive refresh token (${reason}); sign in again to get a new one`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The token provider the environment describes: ONEDRIVE_ACCESS_TOKEN (a fixed token), or ONEDRIVE_REFRESH_TOKEN
 * and ONEDRIVE_CLIENT_ID (with ONEDRIVE_CLIENT_SECRET and ONEDRIVE_TENANT when needed).
 */
export function tokenProviderFromEnv(env: Record<string, string | undefined>, options: Pick<RefreshTokenOptions, 'authorityUrl' | 'log'> = {}): TokenProvider {
  const fixed = env.ONEDRIVE_ACCESS_TOKEN;
  if (fixed) return () => Promise.resolve(fixed);
  const { ONEDRIVE_REFRESH_TOKEN: refreshToken, ONEDRIVE_CLIENT_ID: clientId } = env;
  if (refreshToken && clientId) {
    return refreshTokenProvider({
      refreshToken,
      clientId,
      clientSecret: env.ONEDRIVE_CLIENT_SECRET || undefined,
      tenant: env.ONEDRIVE_TENANT || undefined,
      ...options,
    });
  }
  throw new EdgeError(
    'INVALID_INPUT',
    'OneDrive needs credentials: set ONEDRIVE_ACCESS_TOKEN, or ONEDRIVE_REFRESH_TOKEN and ONEDRIVE_CLIENT_ID (plus ONEDRIVE_CLIENT_SECRET for a confidential app, and ONEDRIVE_TENANT, default consumers)',
  );
}
