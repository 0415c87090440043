/** @module Where the CLI keeps the cloud URL and API token after `edgecourier login`: a file only its user can read. */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { EdgeError } from '../base/errors.ts';
import { writeFileAtomic } from '../base/atomic-file.ts';

const credentialsSchema = z.object({ url: z.string().url(), token: z.string().min(1), email: z.string() });
export type Credentials = z.infer<typeof credentialsSchema>;

export function credentialsFile(): string {
  return process.env.EDGECOURIER_CREDENTIALS ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'edgecourier', 'credentials.json');
}

/** Written to a new private file and renamed over the old one, so the token is never readable by others, even for a moment. */
export async function saveCredentials(credentials: Credentials): Promise<string> {
  const file = credentialsFile();
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  return file;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The credentials `edgecourier login` saved, if there are any readable ones; the environment plays no part. */
export async function savedCredentials(): Promise<Credentials | undefined> {
  const text = await readFile(credentialsFile(), 'utf8').catch(() => undefined);
  const parsed = text === undefined ? undefined : credentialsSchema.safeParse(parse(text));
  return parsed?.success ? parsed.data : undefined;
}

/** The saved credentials; EDGECOURIER_URL and EDGECOURIER_TOKEN, when set, take their place. */
export async function loadCredentials(): Promise<Credentials> {
  const { EDGECOURIER_URL: url, EDGECOURIER_TOKEN: token } = process.env;
  if (url && token) return { url, token, email: '' };
  const saved = await savedCredentials();
  if (!saved) throw new EdgeError('UNAUTHORIZED', 'not logged in: run `edgecourier login --url <cloud url> --email <address>` first');
  return saved;
}

/** Removes the saved credentials file; a missing one is fine. */
export async function forgetCredentials(): Promise<void> {
  await rm(credentialsFile(), { force: true });
}
