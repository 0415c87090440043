/** @module An app's functions: put, listed, read and deleted by the owner, test-invoked whether the app runs or not, and their recent logs. */
import { z } from 'zod';
import { defaultOperatorLimits, functionNamePattern, functionSettings } from '../../runtime/app-config.ts';
import { EdgeError, type ErrorCode } from '../../base/errors.ts';
import { functionOf, ownedApp } from '../app-lookup.ts';
import type { FunctionRecord } from '../data.ts';
import type { CloudDeps } from '../deps.ts';
import { envelopeSchema, sendInvocation } from '../invocation.ts';
import { presentFunction, presentFunctionWithCode } from '../present.ts';
import { route, type Route } from '../route.ts';

const MAX_CODE_BYTES = 1024 * 1024;
/** Every function is written, loaded and compiled at each change of its app: an app must stay a size that is quick to load. */
const MAX_FUNCTIONS_PER_APP = 100;

const paramsSchema = z.object({
  appId: z.string(),
  name: z.string().regex(functionNamePattern, 'a function name starts with a letter and holds only letters, digits, - and _ (at most 64)'),
});

const putSchema = z.strictObject({
  code: z.string().refine((code) => Buffer.byteLength(code) <= MAX_CODE_BYTES, `code must be at most ${MAX_CODE_BYTES} bytes`),
  language: z.enum(['js', 'ts']).default('js'),
  idempotent: functionSettings.idempotent.default(false),
  timeoutMs: functionSettings.timeoutMs.max(defaultOperatorLimits.maxTimeoutMs).optional(),
  memoryMb: functionSettings.memoryMb.max(defaultOperatorLimits.maxMemoryMb).optional(),
  public: functionSettings.public.default(false),
});

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
 * PUT, GET and DELETE /:appId/functions/:name, GET /:appId/functions, POST /:appId/functions/:name/invoke
 * and GET /:appId/functions/:name/logs.
 * @example app.use('/api/v1/apps', routerOf(functionRoutes(deps)))
 */
export function functionRoutes(deps: Pick<CloudDeps, 'apps' | 'runtime'>): Route[] {
  return [
    route({
      method: 'put',
      path: '/:appId/functions/:name',
      summary: 'Create or replace a function',
      auth: 'user',
      params: paramsSchema,
      body: putSchema,
      answers: { 201: 'the new function', 200: 'the replaced function' },
      errors: ['APP_NOT_FOUND', 'QUOTA_EXCEEDED', 'STORAGE_FULL'],
      async handle({ params: { appId, name }, body: { timeoutMs, memoryMb, ...settings } }, _req, res) {
        const app = ownedApp(deps.apps, res, appId);
        // A new record every time, never edited in place: PUT replaces the whole function.
        const fn: FunctionRecord = { name, ...settings, ...(timeoutMs ? { timeoutMs } : {}), ...(memoryMb ? { memoryMb } : {}), updatedAt: new Date().toISOString() };
        const index = app.functions.findIndex((candidate) => candidate.name === name);
        if (index !== -1) app.functions[index] = fn;
        else if (app.functions.length < MAX_FUNCTIONS_PER_APP) app.functions.push(fn);
        else throw new EdgeError('QUOTA_EXCEEDED', `app "${app.name}" holds at most ${MAX_FUNCTIONS_PER_APP} functions; delete one first`);
        await deps.apps.save(app);
        res.status(index === -1 ? 201 : 200).json(presentFunction(fn));
      },
    }),
    route({
      method: 'get',
      path: '/:appId/functions',
      summary: "List an app's functions, without their code",
      auth: 'user',
      answers: { 200: '`{ functions: [function] }`' },
      errors: ['APP_NOT_FOUND'],
      handle(_input, req, res) {
        const app = ownedApp(deps.apps, res, req.params.appId);
        res.json({ functions: app.functions.map(presentFunction) });
      },
    }),
    route({
      method: 'get',
      path: '/:appId/functions/:name',
      summary: 'Read a function, with its code',
      auth: 'user',
      answers: { 200: 'the function with its `code`' },
      errors: ['APP_NOT_FOUND', 'FUNCTION_NOT_FOUND'],
      handle(_input, req, res) {
        const app = ownedApp(deps.apps, res, req.params.appId);
        res.json(presentFunctionWithCode(functionOf(app, req.params.name)));
      },
    }),
    route({
      method: 'delete',
      path: '/:appId/functions/:name',
      summary: 'Delete a function no endpoint calls',
      auth: 'user',
      answers: { 204: 'deleted' },
      errors: ['APP_NOT_FOUND', 'FUNCTION_NOT_FOUND', 'INVALID_INPUT', 'STORAGE_FULL'],
      async handle(_input, req, res) {
        const app = ownedApp(deps.apps, res, req.params.appId);
        const fn = functionOf(app, req.params.name);
        const users = app.endpoints.filter((endpoint) => endpoint.function === fn.name);
        if (users.length > 0) {
          const named = users.map((endpoint) => `${endpoint.method} ${endpoint.path}`).join(', ');
          throw new EdgeError('INVALID_INPUT', `function "${fn.name}" is called by the endpoints ${named}: delete them or point them at another function first`);
        }
        app.functions = app.functions.filter((candidate) => candidate !== fn);
        await deps.apps.save(app);
        res.status(204).end();
      },
    }),
    route({
      method: 'post',
      path: '/:appId/functions/:name/invoke',
      summary: 'Test-invoke a function, whether its app runs or not',
      auth: 'user',
      body: envelopeSchema,
      answers: { 200: '`{ output, key, cache?, logs, stats }`; a failed function answers its error\'s status with `{ error, logs, stats }`' },
      errors: ['APP_NOT_FOUND', 'FUNCTION_NOT_FOUND', ...invocationErrors],
      async handle({ body: envelope }, req, res) {
        const app = ownedApp(deps.apps, res, req.params.appId);
        const fn = functionOf(app, req.params.name);
        sendInvocation(res, await deps.runtime.invoke(app, fn.name, envelope), true);
      },
    }),
    route({
      method: 'get',
      path: '/:appId/functions/:name/logs',
      summary: "A function's last 50 invocations, newest first",
      auth: 'user',
      answers: { 200: '`{ invocations: [{ at, ok, error?, durationMs, logs }] }`' },
      errors: ['APP_NOT_FOUND', 'FUNCTION_NOT_FOUND'],
      handle(_input, req, res) {
        const app = ownedApp(deps.apps, res, req.params.appId);
        const fn = functionOf(app, req.params.name);
        res.json({ invocations: deps.runtime.logs(app.id, fn.name) });
      },
    }),
  ];
}
