/**
 * @module Activation records on the wire (docs/http-api.md, "Activations"), written once for both sides: the cloud
 * answers in these shapes and the CLI reads them.
 */
import type { ErrorBody, ErrorCode } from '../base/errors.ts';

/** The header every invoked answer carries, with the activation's id (a `"response": "http"` endpoint's too). */
export const ACTIVATION_HEADER = 'x-edgecourier-activation';

/** What made an activation: an endpoint call, a test-invoke, a schedule's slot, or a `ctx.call` of another activation (its `parent`). */
export const ACTIVATION_TRIGGERS = ['endpoint', 'test-invoke', 'schedule', 'call'] as const;
export type ActivationTrigger = (typeof ACTIVATION_TRIGGERS)[number];

/** `ok`, or the code of the error it ended with. */
export type ActivationOutcome = 'ok' | ErrorCode;

/** A console line of the activation's own function body. */
export interface ActivationLog {
  level: 'debug' | 'info' | 'log' | 'warn' | 'error';
  message: string;
}

/** One call, top or nested, as the cloud keeps it. */
export interface Activation {
  /** `act_` and 22 random URL-safe characters. */
  id: string;
  /** Its place in the cloud's order of activations (the order they ended): a later one has a larger number. */
  seq: number;
  appId: string;
  function: string;
  /** The function's version, as in its call keys; absent when the app could not be loaded. */
  version?: string;
  /** The app's version (its tree hash, as `GET /apps/:appId/versions` names it) the call ran on. */
  appVersion?: string;
  trigger: ActivationTrigger;
  /** The user whose request it was (a schedule's run: the app's owner), or `anonymous`; a nested call has its tree's. To a grantee, another account's call shows as `user`. */
  caller: string;
  /** When it began (ISO 8601). */
  start: string;
  durationMs: number;
  outcome: ActivationOutcome;
  error?: ErrorBody;
  /** How it was answered: its body ran, or a cached or precomputed result stood in; absent when it failed before either. */
  served?: 'executed' | 'cache' | 'precomputed';
  /** The activation whose `ctx.call` made it. */
  parent?: string;
  /** The activations of its own `ctx.call`s, in the order they began. */
  children: string[];
  /** On a top activation: nested calls of its tree past the records kept for one tree, counted but not recorded. */
  callsNotRecorded?: number;
  logs: ActivationLog[];
}

/** GET /api/v1/apps/:appId/activations: newest first; `next`, when there may be more, is the `cursor` of the next page. */
export interface ActivationPage {
  activations: Activation[];
  next?: string;
}

export const activationPaths = {
  list: (appId: string) => `/api/v1/apps/${encodeURIComponent(appId)}/activations`,
  follow: (appId: string) => `/api/v1/apps/${encodeURIComponent(appId)}/activations/follow`,
  one: (id: string) => `/api/v1/activations/${encodeURIComponent(id)}`,
};
