/** @module The console's one way to the cloud: the same HTTP API as the CLI, with the session cookie and its CSRF token on every change. */

/** A refusal of the cloud, with the catalogue's code (docs/errors.md) and its message for a person. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** The session's CSRF token, from the log-in or GET /me: the cloud refuses a change the cookie authenticates without it. */
let csrfToken: string | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Told when the cloud no longer knows the session (it expired, or was ended elsewhere), so the console asks to log in. */
let sessionEnded: () => void = () => {};

export function onSessionEnded(listener: () => void): void {
  sessionEnded = listener;
}

/** A body to send as it is (a file's bytes), not as JSON. */
export interface RawBody {
  raw: string;
}

const isRaw = (body: unknown): body is RawBody => typeof body === 'object' && body !== null && 'raw' in body;

/** The error an answer that is not 2xx carries, in the catalogue's shape when the cloud wrote it. */
async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  const { code = 'HTTP_' + response.status, message = response.statusText || 'the cloud answered an error' } = body?.error ?? {};
  if (code === 'UNAUTHORIZED') sessionEnded();
  return new ApiError(response.status, code, message);
}

/** Sends one request under /api/v1: JSON or raw bodies, and the CSRF token on every change. */
async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let payload: string | undefined;
  if (isRaw(body)) {
    headers['content-type'] = 'text/plain; charset=utf-8';
    payload = body.raw;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  try {
    return await fetch(`/api/v1${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'CLOUD_UNREACHABLE', 'the cloud does not answer: check that it runs and try again');
  }
}

/**
 * One call of the HTTP API; resolves with the parsed JSON answer (undefined for 204), or throws the cloud's refusal.
 * @example const { apps } = await request<{ apps: App[] }>('GET', '/apps')
 */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body);
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** An invocation's answer, whether the function returned or failed: a failure is an answer to show, with its status. */
export async function invoke<T>(path: string, envelope: unknown): Promise<{ status: number; body: T }> {
  const response = await send('POST', path, envelope);
  const body = (await response
    .clone()
    .json()
    .catch(() => undefined)) as T | undefined;
  if (body === undefined) throw await errorOf(response);
  return { status: response.status, body };
}

/** The text of a file of an app: GET /files/:path answers its bytes, not JSON. */
export async function fileText(appId: string, path: string): Promise<string> {
  const response = await send('GET', `/apps/${encodeURIComponent(appId)}/files/${encodeURIComponent(path)}`);
  if (!response.ok) throw await errorOf(response);
  return response.text();
}

/** A message for a person: the code first, as docs/errors.md lists it. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Follows a stream of Server-Sent Events under /api/v1 (EventSource sends the session cookie; a GET needs no CSRF
 * token) and hands each event's JSON data to `listener`; returns the function that stops following.
 * EventSource connects again by itself when the stream ends, naming the last event it got, so nothing is lost.
 * @example const stop = follow('/apps/app_1/activations/follow', 'activation', (a) => show(a))
 */
export function follow<T>(path: string, event: string, listener: (data: T) => void): () => void {
  const source = new EventSource(`/api/v1${path}`, { withCredentials: true });
  source.addEventListener(event, (message) => listener(JSON.parse((message as MessageEvent<string>).data) as T));
  return () => source.close();
}
