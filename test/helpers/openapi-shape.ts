/** @module Test helpers: what is wrong with an OpenAPI 3.1 document in the essentials its specification requires, and the routes it lists. */

type Node = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const isObject = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The document's routes as the API pages write them: "GET /api/v1/apps/:appId". */
export function listedRoutes(document: Node): string[] {
  return Object.entries(document.paths as Node).flatMap(([path, item]) =>
    Object.keys(item as Node)
      .filter((key) => METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
}

/** The node a local reference ("#/components/schemas/Error") points at, or undefined. */
function resolve(document: Node, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), document);
}

function refProblems(document: Node, node: unknown, at: string): string[] {
  if (Array.isArray(node)) return node.flatMap((item, index) => refProblems(document, item, `${at}/${index}`));
  if (!isObject(node)) return [];
  const own = typeof node.$ref === 'string' && resolve(document, node.$ref) === undefined ? [`${at}: $ref ${node.$ref} points at nothing`] : [];
  return [...own, ...Object.entries(node).flatMap(([key, value]) => refProblems(document, value, `${at}/${key}`))];
}

/** A JSON Schema of OpenAPI 3.1 (2020-12) is an object or a boolean. */
const isSchema = (value: unknown) => isObject(value) || typeof value === 'boolean';

function operationProblems(document: Node, path: string, method: string, operation: Node): string[] {
  const at = `${method.toUpperCase()} ${path}`;
  const problems: string[] = [];
  const templated = [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => name);
  const parameters = (operation.parameters ?? []) as Node[];
  if (!Array.isArray(parameters)) problems.push(`${at}: parameters is not a list`);
  for (const parameter of parameters) {
    if (typeof parameter.name !== 'string' || !['path', 'query', 'header', 'cookie'].includes(parameter.in))
      problems.push(`${at}: a parameter without a name or a known "in"`);
    if (!isSchema(parameter.schema) && !isObject(parameter.content)) problems.push(`${at}: parameter ${parameter.name} has no schema`);
    if (parameter.in === 'path' && parameter.required !== true) problems.push(`${at}: path parameter ${parameter.name} is not required`);
    if (parameter.in === 'path' && !templated.includes(parameter.name)) problems.push(`${at}: path parameter ${parameter.name} is not in the path`);
  }
  const keys = parameters.map((parameter) => `${parameter.in} ${parameter.name}`);
  if (new Set(keys).size !== keys.length) problems.push(`${at}: a parameter is listed twice`);
  for (const name of templated) if (!keys.includes(`path ${name}`)) problems.push(`${at}: {${name}} has no path parameter`);
  if (operation.requestBody !== undefined) {
    const content = operation.requestBody.content as unknown;
    if (!isObject(content) || Object.keys(content).length === 0) problems.push(`${at}: a request body without content`);
    else for (const [type, media] of Object.entries(content)) if (!isSchema((media as Node).schema)) problems.push(`${at}: request body ${type} has no schema`);
  }
  if (!isObject(operation.responses) || Object.keys(operation.responses).length === 0) problems.push(`${at}: no responses`);
  for (const [status, response] of Object.entries((operation.responses ?? {}) as Node)) {
    if (!/^(?:[1-5](?:\d\d|XX)|default)$/.test(status)) problems.push(`${at}: response status ${status} is not a status`);
    if (typeof (response as Node).description !== 'string') problems.push(`${at}: response ${status} has no description`);
    for (const [type, media] of Object.entries(((response as Node).content ?? {}) as Node)) {
      if (!isObject(media) || (media.schema !== undefined && !isSchema(media.schema))) problems.push(`${at}: response ${status} ${type} is not a media type`);
    }
  }
  for (const requirement of (operation.security ?? []) as Node[]) {
    for (const scheme of Object.keys(requirement))
      if (!isObject(document.components?.securitySchemes?.[scheme])) problems.push(`${at}: security scheme ${scheme} is not defined`);
  }
  return problems;
}

/**
 * What breaks the rules of an OpenAPI 3.1 document that a tool relies on: the version, info, paths as
 * templates whose every parameter is declared, operations with responses, unique operation ids, request
 * bodies and parameters with schemas, defined security schemes, and references that resolve. Empty when none.
 */
export function openApiProblems(document: Node): string[] {
  const problems: string[] = [];
  if (typeof document.openapi !== 'string' || !/^3\.1\.\d+$/.test(document.openapi)) problems.push(`openapi is ${document.openapi}, not 3.1.x`);
  if (typeof document.info?.title !== 'string' || typeof document.info?.version !== 'string') problems.push('info needs a title and a version');
  if (!isObject(document.paths)) return [...problems, 'no paths'];
  const ids: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/')) problems.push(`path ${path} does not start with /`);
    for (const [method, operation] of Object.entries(item as Node)) {
      if (!METHODS.includes(method)) continue;
      if (typeof operation.operationId === 'string') ids.push(operation.operationId);
      problems.push(...operationProblems(document, path, method, operation as Node));
    }
  }
  const twice = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (twice.length > 0) problems.push(`operation ids used twice: ${twice.join(', ')}`);
  // "/a/{x}" and "/a/{y}" are the same template, which the specification forbids.
  const shapes = Object.keys(document.paths).map((path) => path.replace(/\{[^}]+\}/g, '{}'));
  const same = shapes.filter((shape, index) => shapes.indexOf(shape) !== index);
  if (same.length > 0) problems.push(`paths that are one template: ${same.join(', ')}`);
  return [...problems, ...refProblems(document, document, '#')];
}
