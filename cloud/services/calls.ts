/**
 * @module Calls to an app's endpoints and their rules: who may reach which endpoint (public ones anyone, private ones
 * those granted RUN), a stopped app, a full share of the sandboxes, and what a caller who does not see inside the app
 * may send and is shown.
 */
import { EdgeError, errorCatalogue, type ErrorBody } from '../../base/errors.ts';
import type { CallEntries, InvokeResponse } from '../../runtime/protocol.ts';
import type { Activated, AppRuntime, InvocationEnvelope } from '../app-runtime.ts';
import type { AppRecord } from '../data.ts';
import { httpAnswerOf, type HttpAnswer } from '../http-response.ts';
import type { AppStore } from '../stores/apps.ts';
import { accessOf, allows, seesInside, shareOf } from './app-access.ts';
import type { AppEndpoint } from './endpoints.ts';

export interface CallServiceDeps {
  apps: Pick<AppStore, 'byId'>;
  runtime: Pick<AppRuntime, 'refuses' | 'invoke'>;
}

/**
 * What an endpoint call answers: the invocation's response with its activation's id, and for an endpoint set to
 * `"response": "http"` that succeeded, the HTTP response its output describes.
 */
export type EndpointResponse = Activated<InvokeResponse & { http?: HttpAnswer }>;

export interface CallService {
  /**
   * The endpoint `method` `path` of app `appId` as `callerId` (undefined: nobody signed in) may call it; throws
   * ENDPOINT_NOT_FOUND for a missing app or endpoint and for a private one of an app the caller may not see,
   * FORBIDDEN for a private one of an app the caller may see but not run, APP_STOPPED for a stopped app.
   */
  find(appId: string, method: string, path: string, callerId: string | undefined): AppEndpoint;
  /** The BUSY error a call to `app` by `callerId` would get now, the share it is charged to in use and its line full; undefined when it would be taken. */
  refusal(app: AppRecord, callerId: string | undefined): EdgeError | undefined;
  /** Runs the endpoint's function; a failed function, or an output that is no HTTP response where one is due, is an answer, not an error thrown. */
  call(target: AppEndpoint, envelope: InvocationEnvelope, callerId: string | undefined): Promise<EndpointResponse>;
}

/** The one answer for a missing app, a missing endpoint and a private one of an app the caller may not see. */
function noEndpoint(method: string, path: string): EdgeError {
  return new EdgeError(
    'ENDPOINT_NOT_FOUND',
    `no endpoint ${method} ${path} that you may call: a private endpoint answers only its owner and those granted RUN`,
  );
}

/** Tells the call keys of the app's public functions: a key starts with `<function name>@`, and names hold no "@". */
function isPublicKey(app: AppRecord): (key: string) => boolean {
  const prefixes = app.functions.filter((fn) => fn.public).map((fn) => `${fn.name}@`);
  return (key) => prefixes.some((prefix) => key.startsWith(prefix));
}

function publicEntries(app: AppRecord, entries: CallEntries | undefined): CallEntries | undefined {
  if (!entries) return undefined;
  const isPublic = isPublicKey(app);
  return Object.fromEntries(Object.entries(entries).filter(([key]) => isPublic(key)));
}

/**
 * The envelope of a caller who does not see inside the app, without results of private functions. Marking a
 * function public lets anyone download it and so substitute its result; a private function's result must
 * come from the cloud, or a caller could forge, say, an access check it makes.
 */
export function strangerEnvelope(app: AppRecord, envelope: InvocationEnvelope): InvocationEnvelope {
  return { input: envelope.input, cache: publicEntries(app, envelope.cache), precomputed: publicEntries(app, envelope.precomputed) };
}

/**
 * An error as a caller other than the app's owner sees it. Only a function's own error keeps its words (the
 * first line, without the stack's host paths) and its own code and status: its owner wrote them. Any other
 * message may hold host paths, an install log, or names of the app and its private functions; strangers get
 * the catalogue's summary.
 */
function strangerError(error: ErrorBody): ErrorBody {
  if (error.code === 'FUNCTION_THREW') return { ...error, message: error.message.split('\n', 1)[0]! };
  return { code: error.code, message: errorCatalogue[error.code].summary };
}

/** The response as a caller who does not see inside the app sees it: cache entries of public functions only, and the error as strangerError tells it. */
export function strangerResponse(app: AppRecord, response: EndpointResponse): EndpointResponse {
  if (!response.ok) return { ...response, error: strangerError(response.error) };
  return response.cache ? { ...response, cache: publicEntries(app, response.cache) } : response;
}

/** A successful response with the HTTP response its output describes, or INVALID_OUTPUT saying why the output is none. */
function asHttp(response: InvokeResponse): InvokeResponse & { http?: HttpAnswer } {
  if (!response.ok) return response;
  try {
    return { ...response, http: httpAnswerOf(response.output) };
  } catch (error) {
    if (!(error instanceof EdgeError)) throw error;
    return { ok: false, error: error.toBody(), logs: response.logs, stats: response.stats };
  }
}

/**
 * The call service over the app store and the runtime.
 * @example const target = calls.find(appId, 'POST', '/greet', callerId); const response = await calls.call(target, { input: {} }, callerId)
 */
export function callService(deps: CallServiceDeps): CallService {
  return {
    find(appId, method, path, callerId) {
      const app = deps.apps.byId(appId);
      // The answer for an app that does not exist is the one for someone else's app, so app ids cannot be probed.
      if (!app) throw noEndpoint(method, path);
      const endpoint = app.endpoints.find((candidate) => candidate.method === method && candidate.path === path);
      if (!endpoint) throw noEndpoint(method, path);
      if (!endpoint.public) {
        const access = accessOf(app, callerId);
        // To a caller who may not see the app, logged in or not, a private endpoint is a missing one.
        if (!access) throw noEndpoint(method, path);
        if (!allows(access, 'RUN'))
          throw new EdgeError('FORBIDDEN', `${method} ${path} is a private endpoint: you have ${access} access to this app, and RUN is needed to call it`);
      }
      if (app.status !== 'running') {
        // Not named: the caller may be a stranger, and knows the app only by the id in the URL.
        throw new EdgeError('APP_STOPPED', `this app is stopped; its owner can start it with POST /api/v1/apps/${app.id}/start`);
      }
      return { app, endpoint };
    },
    refusal(app, callerId) {
      if (!deps.runtime.refuses(shareOf(app, callerId))) return undefined;
      return new EdgeError('BUSY', `the sandboxes are busy: the share your call is charged to is in use and its waiting line is full; try again shortly`);
    },
    async call({ app, endpoint }, envelope, callerId) {
      const inside = seesInside(app, callerId);
      const origin = { trigger: 'endpoint', callerId, share: shareOf(app, callerId) } as const;
      const answer = await deps.runtime.invoke(
        app,
        endpoint.function,
        inside ? envelope : strangerEnvelope(app, envelope),
        origin,
        endpoint.response === 'http' ? asHttp : undefined,
      );
      // A failure to load the app (its dependencies, say) is an answer like any other: strangers get its code and the catalogue's words.
      return inside ? answer : strangerResponse(app, answer);
    },
  };
}
