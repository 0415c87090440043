/** @module An app's functions: put, listed, read and deleted by the owner, test-invoked whether the app runs or not, and their recent logs. */
import { Router } from 'express';
import { z } from 'zod';
import { defaultOperatorLimits, functionNamePattern, functionSettings } from '../../runtime/app-config.ts';
import { EdgeError } from '../../base/errors.ts';
import { functionOf, ownedApp } from '../app-lookup.ts';
import type { FunctionRecord } from '../data.ts';
import type { CloudDeps } from '../deps.ts';
import { validate } from '../http.ts';
import { readEnvelope, sendInvocation } from '../invocation.ts';
import { presentFunction, presentFunctionWithCode } from '../present.ts';

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

/**
 * PUT, GET and DELETE /:appId/functions/:name, GET /:appId/functions, POST /:appId/functions/:name/invoke
 * and GET /:appId/functions/:name/logs.
 * @example app.use('/api/v1/apps', functionRoutes(deps))
 */
export function functionRoutes(deps: Pick<CloudDeps, 'apps' | 'runtime'>): Router {
  const router = Router();

  router.put('/:appId/functions/:name', async (req, res) => {
    const { appId, name } = validate(paramsSchema, req.params, 'path');
    const app = ownedApp(deps.apps, res, appId);
    const { timeoutMs, memoryMb, ...settings } = validate(putSchema, req.body);
    // A new record every time, never edited in place: PUT replaces the whole function.
    const fn: FunctionRecord = { name, ...settings, ...(timeoutMs ? { timeoutMs } : {}), ...(memoryMb ? { memoryMb } : {}), updatedAt: new Date().toISOString() };
    const index = app.functions.findIndex((candidate) => candidate.name === name);
    if (index !== -1) app.functions[index] = fn;
    else if (app.functions.length < MAX_FUNCTIONS_PER_APP) app.functions.push(fn);
    else throw new EdgeError('QUOTA_EXCEEDED', `app "${app.name}" holds at most ${MAX_FUNCTIONS_PER_APP} functions; delete one first`);
    await deps.apps.save(app);
    res.status(index === -1 ? 201 : 200).json(presentFunction(fn));
  });

  router.get('/:appId/functions', (req, res) => {
    const app = ownedApp(deps.apps, res, req.params.appId);
    res.json({ functions: app.functions.map(presentFunction) });
  });

  router.get('/:appId/functions/:name', (req, res) => {
    const app = ownedApp(deps.apps, res, req.params.appId);
    res.json(presentFunctionWithCode(functionOf(app, req.params.name)));
  });

  router.delete('/:appId/functions/:name', async (req, res) => {
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
  });

  router.post('/:appId/functions/:name/invoke', async (req, res) => {
    const app = ownedApp(deps.apps, res, req.params.appId);
    const fn = functionOf(app, req.params.name);
    const envelope = readEnvelope(req.body);
    sendInvocation(res, await deps.runtime.invoke(app, fn.name, envelope), true);
  });

  router.get('/:appId/functions/:name/logs', (req, res) => {
    const app = ownedApp(deps.apps, res, req.params.appId);
    const fn = functionOf(app, req.params.name);
    res.json({ invocations: deps.runtime.logs(app.id, fn.name) });
  });

  return router;
}
