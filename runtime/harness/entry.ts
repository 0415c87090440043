/**
 * @module How a worker loads and calls a function module: its entry point, found by the conventions of the platforms
 * people port from (the default export, else `handler` as in AWS Lambda, else `main` as in OpenWhisk), the context
 * every style receives, and the hooks that let it import the app's TypeScript.
 */
import { register } from 'node:module';

/** What a function receives as its second argument, whatever its style: ours, and Lambda's names for the same. */
export interface FunctionContext {
  fn: string;
  invocationId: string;
  call(name: string, input?: unknown): Promise<unknown>;
  functionName: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
  callbackWaitsForEmptyEventLoop: boolean;
}

export type FunctionBody = (input: unknown, ctx: FunctionContext) => unknown;

/** Said in the error when none is found: the order in which they are looked for. */
export const ENTRY_LOOKUP = 'a default export, handler, main';

/**
 * The context of one call: `own` and Lambda's names for the same, none of which can be changed, and
 * `callbackWaitsForEmptyEventLoop`, which Lambda handlers often set (it changes nothing here: the answer is sent
 * as soon as there is one).
 */
export function functionContext(deadline: number, own: Pick<FunctionContext, 'fn' | 'invocationId' | 'call'>): FunctionContext {
  const fixed = (value: unknown) => ({ value, enumerable: true });
  return Object.defineProperties({ callbackWaitsForEmptyEventLoop: true } as FunctionContext, {
    fn: fixed(own.fn),
    invocationId: fixed(own.invocationId),
    call: fixed(own.call),
    functionName: fixed(own.fn),
    awsRequestId: fixed(own.invocationId),
    getRemainingTimeInMillis: fixed(() => Math.max(0, deadline - Date.now())),
  });
}

/**
 * The entry point of an imported module, or undefined when it has none. For CommonJS the default export is
 * `module.exports`, so `module.exports = fn` is found first and `exports.handler` as a property of it.
 */
export function entryOf(module: Record<string, unknown>): FunctionBody | undefined {
  const exported = module.default;
  if (typeof exported === 'function') return exported as FunctionBody;
  const exportedAs = (name: string) =>
    module[name] ?? (typeof exported === 'object' && exported !== null ? (exported as Record<string, unknown>)[name] : undefined);
  const handler = exportedAs('handler');
  if (typeof handler === 'function') return lambdaStyle(handler as LambdaHandler);
  const main = exportedAs('main');
  return typeof main === 'function' ? (main as FunctionBody) : undefined;
}

type LambdaHandler = (event: unknown, context: FunctionContext, callback: (error?: unknown, result?: unknown) => void) => unknown;

/**
 * A handler that takes a third parameter may answer through the callback instead of its return value, as Lambda
 * allows; whichever of the callback and a returned promise settles first is the answer.
 */
function lambdaStyle(handler: LambdaHandler): FunctionBody {
  if (handler.length < 3) return handler as FunctionBody;
  return (event, context) =>
    new Promise((resolve, reject) => {
      const callback = (error?: unknown, result?: unknown) => (error === undefined || error === null ? resolve(result) : reject(error));
      const returned = handler(event, context, callback);
      if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') (returned as PromiseLike<unknown>).then(resolve, reject);
    });
}

let hooksRegistered = false;

/**
 * Lets this thread import the app's TypeScript (see module-hooks.ts). Registered only when a TypeScript function
 * is first loaded: the hooks run on a thread of their own, which a worker of a JavaScript app does without.
 */
export function allowTypeScript(): void {
  if (hooksRegistered) return;
  register(new URL('./module-hooks.mjs', import.meta.url));
  hooksRegistered = true;
}
