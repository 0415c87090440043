/**
 * @module Which field of a form the cloud's refusal is about, so the form shows each message beside its field. The
 * cloud names fields in its messages: `body: timeoutMs: …` or `path: grantee: …` (INVALID_INPUT, one part per problem,
 * joined by "; ") and `functions.greet.timeoutMs is …` (INVALID_APP); a few codes are about one field whatever they say.
 */
import { ApiError } from './api.ts';

/** Codes about one field of the form that sent them. */
const fieldOfCode: Record<string, string> = { APP_NAME_TAKEN: 'name', USER_NOT_FOUND: 'grantee' };

/** The field an INVALID_INPUT part (`body: <field>: …`, `path: <field>: …`) or an INVALID_APP one (`functions.<fn>.<field> is …`) names. */
function fieldOf(part: string): string | undefined {
  return /^(?:body|path): ([A-Za-z]+)\b/.exec(part)?.[1] ?? /^functions\.[A-Za-z0-9_-]+\.([A-Za-z]+) /.exec(part)?.[1];
}

export interface FormErrors {
  /** "CODE: message" by the field it names, for those of `fields`. */
  byField: Partial<Record<string, string>>;
  /** What names none of them (or is not the cloud's refusal at all): for the form as a whole. */
  rest: unknown;
}

/**
 * Splits an error by the fields of the form it names.
 * @example formErrors(new ApiError(400, 'INVALID_INPUT', 'body: timeoutMs: Too small'), ['timeoutMs']).byField.timeoutMs // 'INVALID_INPUT: body: timeoutMs: Too small'
 */
export function formErrors(error: unknown, fields: readonly string[]): FormErrors {
  if (!(error instanceof ApiError)) return { byField: {}, rest: error };
  const byField: Partial<Record<string, string>> = {};
  const rest: string[] = [];
  const known = (field: string | undefined) => (field !== undefined && fields.includes(field) ? field : undefined);
  for (const part of error.message.split('; ')) {
    const field = known(fieldOfCode[error.code]) ?? known(fieldOf(part));
    if (field === undefined) rest.push(part);
    else byField[field] = byField[field] ? `${byField[field]}; ${part}` : `${error.code}: ${part}`;
  }
  return { byField, rest: rest.length > 0 ? new ApiError(error.status, error.code, rest.join('; ')) : undefined };
}
