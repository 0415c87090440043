/** @module A small client of the cloud's HTTP API for the CLI: JSON in and out, files' bytes up and down, errors as EdgeError with the server's code. */
import { EdgeError, isErrorCode } from '../base/errors.ts';

export interface CloudAnswer {
  status: number;
  body: unknown;
}

export interface CloudClient {
  url: string;
  /** The raw answer, whatever its status. */
  send(method: string, path: string, body?: unknown): Promise<CloudAnswer>;
  /** The body of a successful answer; an error answer is thrown as EdgeError with the server's code. */
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** PUTs `bytes` as they are (a file), and answers as `request` does. */
  putBytes<T>(path: string, bytes: Uint8Array): Promise<T>;
  /** The bytes of a successful answer to a GET. */
  download(path: string): Promise<Buffer>;
  /** The body of a successful answer to a GET as it arrives (a stream of events); an error answer is thrown as `request` throws it. */
  stream(path: string): Promise<ReadableStream<Uint8Array>>;
}

/** Turns an error answer into the EdgeError the server described. */
export function answerError(method: string, path: string, answer: CloudAnswer): EdgeError {
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && isErrorCode(error.code)) return new EdgeError(error.code, String(error.message));
  return new EdgeError('INTERNAL_ERROR', `the cloud answered ${answer.status} to ${method} ${path}`);
}

/** A client of the cloud at `url`, sending `token` when there is one. */
export function cloudClient(url: string, token?: string): CloudClient {
  const base = url.replace(/\/+$/, '');
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};

  const call = async (method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array): Promise<Response> => {
    try {
      return await fetch(`${base}${path}`, { method, headers: { ...headers, ...auth }, ...(body === undefined ? {} : { body }) });
    } catch (error) {
      throw new EdgeError('CLOUD_UNREACHABLE', `cannot reach the cloud at ${base}: ${String((error as Error).cause ?? (error as Error).message)}`);
    }
  };

  const answerOf = async (response: Response): Promise<CloudAnswer> => {
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new EdgeError('CLOUD_UNREACHABLE', `${base} answered ${response.status} with something that is not edgecourier's JSON; is it the cloud's URL?`);
    }
    return { status: response.status, body: json };
  };

  const bodyOf = <T>(method: string, path: string, answer: CloudAnswer): T => {
    if (answer.status >= 200 && answer.status < 300) return answer.body as T;
    throw answerError(method, path, answer);
  };

  const send = async (method: string, path: string, body?: unknown): Promise<CloudAnswer> =>
    answerOf(await call(method, path, body === undefined ? {} : { 'content-type': 'application/json' }, body === undefined ? undefined : JSON.stringify(body)));

  return {
    url: base,
    send,
    request: async <T>(method: string, path: string, body?: unknown) => bodyOf<T>(method, path, await send(method, path, body)),
    putBytes: async <T>(path: string, bytes: Uint8Array) =>
      bodyOf<T>('PUT', path, await answerOf(await call('PUT', path, { 'content-type': 'application/octet-stream' }, bytes))),
    async download(path) {
      const response = await call('GET', path, {});
      if (response.ok) return Buffer.from(await response.arrayBuffer());
      throw answerError('GET', path, await answerOf(response));
    },
    async stream(path) {
      const response = await call('GET', path, { accept: 'text/event-stream' });
      if (response.ok && response.body) return response.body;
      throw answerError('GET', path, await answerOf(response));
    },
  };
}
