/** @module The schema of app.json, and the limits an operator puts on what it may ask for. */
import { z } from 'zod';
import { EdgeError, type ErrorCode } from '../base/errors.ts';
import { describeIssues } from '../base/zod-issues.ts';
import type { InvocationLimits } from './protocol.ts';
import { envSchema } from './app-env.ts';
import { functionNamePattern } from './names.ts';
import { schedulesSchema } from './schedule.ts';
import type { OperatorLimits } from './operator-limits.ts';

export { functionNamePattern } from './names.ts';

/**
 * A function's settings, declared once: app.json takes each as optional, the cloud's function routes give
 * them defaults and the operator's maxima; both keep these types and bounds.
 */
export const functionSettings = {
  idempotent: z.boolean(),
  timeoutMs: z.number().int().positive(),
  memoryMb: z.number().int().min(16),
  public: z.boolean(),
};

export type FunctionSettings = { [K in keyof typeof functionSettings]: z.infer<(typeof functionSettings)[K]> };

const functionConfigSchema = z.strictObject(functionSettings).partial();

/** The settings of a function among other fields (a stored record, a loaded config), the ones not set left out. */
export function settingsOf(source: Partial<FunctionSettings>): Partial<FunctionSettings> {
  const entries = (Object.keys(functionSettings) as Array<keyof FunctionSettings>).filter((key) => source[key] !== undefined).map((key) => [key, source[key]]);
  return Object.fromEntries(entries) as Partial<FunctionSettings>;
}

/** Endpoints only matter when the app is deployed to the cloud (`edgecourier deploy`); the courier ignores them. */
const endpointConfigSchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: z.string().regex(/^\/[A-Za-z0-9._~\/-]{0,199}$/, 'an endpoint path starts with / and holds letters, digits, . _ ~ - and /'),
  function: z.string().regex(functionNamePattern),
  public: z.boolean().optional(),
  /** "http": the function's output is sent as the HTTP response, Lambda proxy style (docs/http-api.md). */
  response: z.enum(['json', 'http']).optional(),
});

/** Outbound network for the app's sandboxes; without it they have none (docs/sandbox.md#network). */
const networkConfigSchema = z.strictObject({ egress: z.boolean() });

export const appConfigSchema = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  description: z.string().max(2000).optional(),
  endpoints: z.array(endpointConfigSchema).optional(),
  /** Plain settings for `process.env` of the app's functions; secrets are kept elsewhere (docs/writing-apps.md). */
  env: envSchema.optional(),
  network: networkConfigSchema.optional(),
  /** Runs of a function at an interval or on a cron expression, by name (runtime/schedule.ts, docs/writing-apps.md). */
  schedules: schedulesSchema.optional(),
  functions: z
    .record(
      z.string().regex(functionNamePattern, 'function names start with a letter and hold only letters, digits, - and _ (at most 64)'),
      functionConfigSchema,
    )
    .optional(),
});

export type AppConfig = z.infer<typeof appConfigSchema>;
export type EndpointConfig = z.infer<typeof endpointConfigSchema>;

// Declared apart from the schemas, so that the harness's launcher starts without loading them; exported here too,
// beside limitsWithin, which applies them.
export { defaultOperatorLimits, type OperatorLimits } from './operator-limits.ts';

/**
 * The limits function `name` runs under: its own settings, else the operator's defaults. A setting over the
 * operator's maximum is INVALID_APP, in these words wherever the settings come from (an app folder's app.json
 * for `run`, `run --local` and the courier; a function put through the cloud's API): cutting it down quietly
 * would run the function under a limit its author never asked for.
 * @example limitsWithin('resize', { timeoutMs: 90000 }, defaultOperatorLimits) // throws INVALID_APP "functions.resize.timeoutMs is 90000 ms, over the operator's maximum of 60000 ms"
 */
export function limitsWithin(name: string, own: Partial<InvocationLimits>, limits: OperatorLimits): InvocationLimits {
  const over = (setting: keyof InvocationLimits, value: number, max: number, unit: string) =>
    new EdgeError('INVALID_APP', `functions.${name}.${setting} is ${value} ${unit}, over the operator's maximum of ${max} ${unit}`);
  const timeoutMs = own.timeoutMs ?? limits.defaultTimeoutMs;
  const memoryMb = own.memoryMb ?? limits.defaultMemoryMb;
  if (timeoutMs > limits.maxTimeoutMs) throw over('timeoutMs', timeoutMs, limits.maxTimeoutMs, 'ms');
  if (memoryMb > limits.maxMemoryMb) throw over('memoryMb', memoryMb, limits.maxMemoryMb, 'MB');
  return { timeoutMs, memoryMb };
}

/**
 * app.json's text parsed and checked, or an EdgeError `code` naming what is wrong: INVALID_APP where an app folder
 * is loaded, INVALID_INPUT where the cloud is sent one.
 */
export function parseAppConfig(text: string, code: ErrorCode): AppConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EdgeError(code, `app.json is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = appConfigSchema.safeParse(json);
  if (!parsed.success) throw new EdgeError(code, describeIssues('app.json', parsed.error));
  return parsed.data;
}
