/** @module The request file format (`<app>/requests/<id>.json`), validated with zod where it enters. */
import { z } from 'zod';
import { functionNamePattern } from '../runtime/app-config.ts';
import { invocationFields, type InvocationRequest } from '../runtime/invocation-service.ts';
import { describeIssues } from '../base/zod-issues.ts';

/** The invocation's fields, with the function to call named in the file. */
const requestSchema = z.strictObject({
  function: z.string().regex(functionNamePattern, 'must name a function of the app: a letter, then letters, digits, - or _'),
  ...invocationFields,
});

export type FolderRequest = InvocationRequest & { input: unknown };

export type ParsedRequest =
  | { ok: true; request: FolderRequest }
  /** `truncated` is set when the text is not JSON: it may still be being written. */
  | { ok: false; message: string; truncated: boolean };

/** Parses the text of a request file; `name` appears in messages. */
export function parseRequest(name: string, text: string): ParsedRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, truncated: true, message: `${name} is not valid JSON: ${(error as Error).message}` };
  }
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) {
    const hint = ' A request looks like {"function": "greet", "input": {...}}, with optional "cache" and "precomputed" objects.';
    return { ok: false, truncated: false, message: describeIssues(name, parsed.error) + '.' + hint };
  }
  const { input, ...rest } = parsed.data;
  return { ok: true, request: { ...rest, input: input ?? null } };
}
