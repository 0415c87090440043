/** @module An app's functions: put, listed, read and deleted, test-invoked whether the app runs or not, and their recent activations' logs, each by those the app's grants allow. */
import { z } from 'zod';
import { functionNamePattern, functionSettings } from '../../runtime/app-config.ts';
import { FUNCTION_LANGUAGES } from '../../runtime/app-paths.ts';
import type { ErrorCode } from '../../base/errors.ts';
import { MAX_CODE_BYTES } from '../app-schemas.ts';
import type { CloudDeps } from '../deps.ts';
import { envelopeSchema, sendInvocation } from '../invocation.ts';
import { presentFunction, presentFunctionWithCode } from '../present.ts';
import { route, type Route } from '../route.ts';

const paramsSchema = z.object({
  appId: z.string(),
  name: z.string().regex(functionNamePattern, 'a function name starts with a letter and holds only letters, digits, - and _ (at most 64)'),
});

const putSchema = z.strictObject({
  code: z.string().refine((code) => Buffer.byteLength(code) <= MAX_CODE_BYTES, `code must be at most ${MAX_CODE_BYTES} bytes`),
  language: z.enum(FUNCTION_LANGUAGES).default('js'),
  idempotent: functionSettings.idempotent.default(false),
  // Their maxima are the function service's to check (limitsWithin), in the words every other trigger uses.
  timeoutMs: functionSettings.timeoutMs.optional(),
  memoryMb: functionSettings.memoryMb.optional(),
  public: functionSettings.public.default(false),
});

const patchSchema = z
  .strictObject({
    idempotent: functionSettings.idempotent.optional(),
    public: functionSettings.public.optional(),
    // null: back to the operator's default.
    timeoutMs: functionSettings.timeoutMs.nullable().optional(),
    memoryMb: functionSettings.memoryMb.nullable().optional(),
  })
  .refine((change) => Object.keys(change).length > 0, 'name at least one of idempotent, public, timeoutMs and memoryMb to change');

/** What a test-invoke answers with when the function, its app or its sandbox fails: the catalogue's codes of an invocation. */
const invocationErrors: ErrorCode[] = [
  'FUNCTION_LOAD_FAILED',
  'FUNCTION_THREW',
  'INVALID_OUTPUT',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'CALL_DEPTH_EXCEEDED',
  'INVALID_APP',
  'DEPENDENCY_INSTALL_FAILED',
  'DEPENDENCY_NOT_ALLOWED',
  'BUSY',
  'START_TIMEOUT',
  'SANDBOX_FAILED',
  'ENGINE_UNAVAILABLE',
  'EXECUTOR_CLOSED',
];

/**
 * PUT, PATCH, GET and DELETE /:appId/functions/:name, GET /:appId/functions, POST /:appId/functions/:name/invoke
 * and GET /:appId/functions/:name/logs.
 * @example app.use('/api/v1/apps', routerOf(functionRoutes(deps)))
 */
export function functionRoutes(deps: Pick<CloudDeps, 'functions'>): Route[] {
  return [
    route({
      method: 'put',
      path: '/:appId/functions/:name',
      summary: 'Create or replace a function',
      auth: 'user',
      params: paramsSchema,
      body: putSchema,
      answers: { 201: 'the new function', 200: 'the replaced function' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'INVALID_APP', 'QUOTA_EXCEEDED', 'APP_FROM_FOLDER', 'STORAGE_FULL'],
      async handle({ caller: { user }, params: { appId, name }, body }, _req, res) {
        const { fn, created } = await deps.functions.put(user.id, appId, name, body);
        res.status(created ? 201 : 200).json(presentFunction(fn));
      },
    }),
    route({
      method: 'patch',
      path: '/:appId/functions/:name',
      summary: "Change a function's settings, its code left as it is",
      auth: 'user',
      params: paramsSchema,
      body: patchSchema,
      answers: { 200: 'the function' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'FUNCTION_NOT_FOUND', 'INVALID_APP', 'QUOTA_EXCEEDED', 'APP_FROM_FOLDER', 'STORAGE_FULL'],
      async handle({ caller: { user }, params: { appId, name }, body }, _req, res) {
        res.json(presentFunction(await deps.functions.update(user.id, appId, name, body)));
      },
    }),
    route({
      method: 'get',
      path: '/:appId/functions',
      summary: "List an app's functions, without their code",
      auth: 'user',
      answers: { 200: '`{ functions: [function] }`' },
      errors: ['APP_NOT_FOUND'],
      handle: ({ caller: { user } }, req, res) => res.json({ functions: deps.functions.list(user.id, req.params.appId).map(presentFunction) }),
    }),
    route({
      method: 'get',
      path: '/:appId/functions/:name',
      summary: 'Read a function, with its code',
      auth: 'user',
      answers: { 200: 'the function with its `code`' },
      errors: ['APP_NOT_FOUND', 'FUNCTION_NOT_FOUND'],
      handle: ({ caller: { user } }, req, res) => res.json(presentFunctionWithCode(deps.functions.get(user.id, req.params.appId, req.params.name))),
    }),
    route({
      method: 'delete',
      path: '/:appId/functions/:name',
      summary: 'Delete a function no endpoint calls',
      auth: 'user',
      answers: { 204: 'deleted' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'FUNCTION_NOT_FOUND', 'INVALID_INPUT', 'APP_FROM_FOLDER', 'STORAGE_FULL'],
      async handle({ caller: { user } }, req, res) {
        await deps.functions.remove(user.id, req.params.appId, req.params.name);
        res.status(204).end();
      },
    }),
    route({
      method: 'post',
      path: '/:appId/functions/:name/invoke',
      summary: 'Test-invoke a function, whether its app runs or not',
      auth: 'user',
      body: envelopeSchema,
      answers: {
        200: "`{ output, key, cache?, logs, stats }`; a failed function answers its error's status with `{ error, logs, stats }`; `logs` only for those who may change the app",
      },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'FUNCTION_NOT_FOUND', ...invocationErrors],
      async handle({ caller: { user }, body: envelope }, req, res) {
        const { response, inside } = await deps.functions.invoke(user.id, req.params.appId, req.params.name, envelope);
        sendInvocation(res, response, inside);
      },
    }),
    route({
      method: 'get',
      path: '/:appId/functions/:name/logs',
      summary: "A function's last 50 activations, newest first, with their console output",
      auth: 'user',
      answers: { 200: '`{ invocations: [{ id, at, ok, error?, durationMs, logs }] }`' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'FUNCTION_NOT_FOUND'],
      handle: async ({ caller: { user } }, req, res) => res.json({ invocations: await deps.functions.logs(user.id, req.params.appId, req.params.name) }),
    }),
  ];
}
