/** @module One declaration per route (method, path, who may call it, the schemas of its input, its answers), which both serves it and describes it in the OpenAPI document. */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { ErrorCode } from '../base/errors.ts';
import { callerOf, requireCaller, requireOperator } from './auth.ts';
import type { Caller } from './services/sessions.ts';
import { drain, requestBytes, validate } from './http.ts';

/** Paths declare `:name` parameters only, never wildcards, so each parameter is one string. */
type PlainRequest = Request<Record<string, string>>;

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route: anyone (a token is taken but not needed), any signed-in user, or operators only. */
export type Auth = 'anyone' | 'user' | 'operator';

type Schema = z.ZodType | undefined;
type Parsed<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

/** What the handler gets: the caller the route's `auth` admits, and its input as the schemas parsed it. */
export interface RouteInput<B extends Schema, Q extends Schema, P extends Schema, A extends Auth> {
  caller: A extends 'anyone' ? Caller | undefined : Caller;
  body: Parsed<B>;
  query: Parsed<Q>;
  params: Parsed<P>;
  /** The body's bytes as they arrive, for a route declaring `raw`; reading past its `maxBytes` throws PAYLOAD_TOO_LARGE. */
  bytes?: AsyncIterable<Uint8Array>;
}

export interface RouteSpec<B extends Schema = undefined, Q extends Schema = undefined, P extends Schema = undefined, A extends Auth = Auth> {
  method: Method;
  /** Express's form, below the group's prefix: "/:appId/functions/:name". */
  path: string;
  /** One line saying what the route does. */
  summary: string;
  auth: A;
  /** The JSON body. */
  body?: B;
  /** The body is a file's bytes, of any media type and at most this many, handed to the handler unparsed as `bytes`. */
  raw?: { maxBytes: number };
  query?: Q;
  /** Path parameters that must be more than any string. */
  params?: P;
  /** Runs before the caller is checked and the input parsed: rate limits. */
  use?: RequestHandler[];
  /** The answers that are not errors of the catalogue, by status, e.g. `{ 201: 'the new app' }`. */
  answers: Record<number, string>;
  /** The media type of `answers`; JSON unless set. */
  produces?: 'application/json' | 'text/plain' | 'application/octet-stream' | 'text/event-stream';
  /** Codes the route answers beyond those its declaration implies (UNAUTHORIZED for `auth: 'user'`, INVALID_INPUT for a body, …). */
  errors?: ErrorCode[];
  handle(input: RouteInput<B, Q, P, A>, req: PlainRequest, res: Response): unknown;
}

/** A declaration whose types have done their work: what a route group returns. */
export type Route = RouteSpec<Schema, Schema, Schema, Auth>;

/** Route groups as mounted: each at its prefix, e.g. `['/api/v1/apps', appRoutes(deps)]`. */
export type RouteGroup = readonly [prefix: string, routes: Route[]];

/**
 * Declares a route; its types flow from the schemas into the handler.
 * @example route({ method: 'get', path: '/me', summary: 'Who am I', auth: 'user', answers: { 200: '`{ user }`' }, handle: ({ caller }, _req, res) => res.json(caller.user) })
 */
export function route<B extends Schema = undefined, Q extends Schema = undefined, P extends Schema = undefined, A extends Auth = Auth>(
  spec: RouteSpec<B, Q, P, A>,
): Route {
  return spec;
}

const callers: Record<Auth, (res: Response) => Caller | undefined> = { anyone: callerOf, user: requireCaller, operator: requireOperator };

/** The handler that checks the caller, parses the input with the declared schemas, then runs the route's own. */
function served(spec: Route): RequestHandler {
  return async (req, res) => {
    const caller = callers[spec.auth](res);
    const params = spec.params ? validate(spec.params, req.params, 'path') : undefined;
    const query = spec.query ? validate(spec.query, req.query, 'query') : undefined;
    const body = spec.body ? validate(spec.body, req.body) : undefined;
    const bytes = spec.raw ? requestBytes(req, spec.raw.maxBytes) : undefined;
    try {
      await spec.handle({ caller, params, query, body, bytes }, req as PlainRequest, res);
    } catch (error) {
      // A handler that stopped reading the bytes part way (past a cap, a bad file) lets the client finish first.
      if (spec.raw) await drain(req);
      throw error;
    }
  };
}

/**
 * A router serving the declared routes and nothing else. Routes declaring `raw` read their body themselves, so they
 * must be mounted before the JSON parser, the others after it.
 * @example app.use('/api/v1/apps', routerOf(appRoutes(deps)))
 */
export function routerOf(routes: Route[]): Router {
  const router = Router();
  for (const spec of routes) {
    router[spec.method](spec.path, ...(spec.use ?? []), served(spec));
  }
  return router;
}
