/**
 * @module An app's environment: the names and caps of its plain settings (app.json "env") and of its secrets,
 * and the one `process.env` its functions see, made of both.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** What a function's `process.env` holds: names to string values. */
export type AppEnv = Readonly<Record<string, string>>;

/** The bounds of one set of variables (app.json's settings, or an app's secrets); each is checked on its own. */
export const envLimits = {
  /** Variables in one set. */
  count: 100,
  nameChars: 128,
  /** UTF-8 bytes of one value: room for a PEM private key. */
  valueBytes: 8 * 1024,
  /** UTF-8 bytes of all names and values of one set. */
  totalBytes: 64 * 1024,
} as const;

/** The shell's rule for a variable name, so that a name works as a variable everywhere. */
export const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const envNameSchema = z
  .string()
  .max(envLimits.nameChars, `a variable name has at most ${envLimits.nameChars} characters`)
  .regex(envNamePattern, 'a variable name starts with a letter or _ and holds only letters, digits and _');

export const envValueSchema = z
  .string()
  .refine((value) => Buffer.byteLength(value) <= envLimits.valueBytes, `a value is at most ${envLimits.valueBytes} bytes`)
  // A real environment cannot hold one, and `run --local` and the sandbox must agree.
  .refine((value) => !value.includes('\0'), 'a value may not hold a NUL character');

/** Bytes of the names and values of `env`, as its total is capped. */
export function envBytes(env: AppEnv): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(env)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/**
 * One set of variables: names to strings, within `envLimits`. `__proto__` is refused before the record is read: a
 * record would drop it without a word, and a variable the author set would be missing.
 */
export const envSchema = z
  .unknown()
  .superRefine((value, context) => {
    if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__'))
      context.addIssue({ code: 'custom', message: '__proto__ cannot be a variable name', path: ['__proto__'] });
  })
  .pipe(z.record(envNameSchema, envValueSchema))
  .superRefine((env, context) => {
    const count = Object.keys(env).length;
    if (count > envLimits.count) context.addIssue({ code: 'custom', message: `at most ${envLimits.count} variables, not ${count}` });
    const bytes = envBytes(env);
    if (bytes > envLimits.totalBytes) context.addIssue({ code: 'custom', message: `at most ${envLimits.totalBytes} bytes of names and values, not ${bytes}` });
  });

/**
 * What a function's `process.env` holds: the plain settings, and the secrets over them, so a placeholder in
 * app.json for local runs gives way to the real value where the secret is set.
 */
export function functionEnv(settings: AppEnv | undefined, secrets: AppEnv | undefined): AppEnv {
  return { ...settings, ...secrets };
}

/**
 * Keyed by a random key of this process: a sandbox of the app must change with its secrets, but an app's id
 * must not carry a hash of them that anyone could test guesses against.
 */
const fingerprintKey = randomBytes(32);

/** Changes whenever `secrets` do, and tells nothing about them; empty for none. */
export function secretsFingerprint(secrets: AppEnv | undefined): string {
  const entries = Object.entries(secrets ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '';
  return createHmac('sha256', fingerprintKey).update(JSON.stringify(entries)).digest('hex').slice(0, 16);
}
