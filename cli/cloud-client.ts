/** @module A small client of the cloud's HTTP API for the CLI: JSON in and out, errors as EdgeError with the server's code. */
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
  const send = async (method: string, path: string, body?: unknown): Promise<CloudAnswer> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new EdgeError('CLOUD_UNREACHABLE', `cannot reach the cloud at ${base}: ${String((error as Error).cause ?? (error as Error).message)}`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new EdgeError('CLOUD_UNREACHABLE', `${base} answered ${response.status} with something that is not edgecourier's JSON; is it the cloud's URL?`);
    }
    return { status: response.status, body: json };
  };
  return {
    url: base,
    send,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const answer = await send(method, path, body);
      if (answer.status >= 200 && answer.status < 300) return answer.body as T;
      throw answerError(method, path, answer);
    },
  };
}
