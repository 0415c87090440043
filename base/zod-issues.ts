/** @module Says what is wrong with untrusted input that a zod schema refused, in words a person can act on. */
import type { z } from 'zod';

/** Turns zod issues into one line per problem that names the file and the field. */
export function describeIssues(file: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length ? issue.path.join('.') : '(top level)';
      // A bad record key hides the key schema's own message one level down.
      const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
      return `${file}: ${field}: ${message}`;
    })
    .join('; ');
}
