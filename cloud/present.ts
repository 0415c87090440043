/** @module Records as the API shows them: functions without their code unless asked, endpoints with their URL, never the owner. */
import { defaultOperatorLimits } from '../runtime/app-config.ts';
import type { AppRecord, EndpointRecord, FunctionRecord } from './data.ts';

/** A function's settings, with the limits it runs under when it sets none. */
export function presentFunction(fn: FunctionRecord) {
  return {
    name: fn.name,
    language: fn.language,
    idempotent: fn.idempotent,
    timeoutMs: fn.timeoutMs ?? defaultOperatorLimits.defaultTimeoutMs,
    memoryMb: fn.memoryMb ?? defaultOperatorLimits.defaultMemoryMb,
    public: fn.public,
    updatedAt: fn.updatedAt,
  };
}

export function presentFunctionWithCode(fn: FunctionRecord) {
  return { ...presentFunction(fn), code: fn.code };
}

export function presentEndpoint(app: AppRecord, endpoint: EndpointRecord, publicUrl: string) {
  return { ...endpoint, url: `${publicUrl}/run/${app.id}${endpoint.path}` };
}

export function presentApp(app: AppRecord, publicUrl: string) {
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    status: app.status,
    packageJson: app.packageJson,
    functions: app.functions.map(presentFunction),
    endpoints: app.endpoints.map((endpoint) => presentEndpoint(app, endpoint, publicUrl)),
    createdAt: app.createdAt,
    updatedAt: app.updatedAt,
  };
}
