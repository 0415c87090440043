/** @module An app's secrets at rest: each value sealed by the cloud's secret box, bound to its app and name, opened only to hand to the runtime. */
import type { AppEnv } from '../runtime/app-env.ts';
import type { AppRecord } from './data.ts';
import type { SecretBox } from './secret-box.ts';

/** Bound to the ciphertext: a sealed value copied to another app or name does not open. */
const contextOf = (appId: string, name: string) => `app-secret:${appId}/${name}`;

export function sealSecret(box: Pick<SecretBox, 'seal'>, appId: string, name: string, value: string): string {
  return box.seal(value, contextOf(appId, name));
}

/** The app's secrets as its functions' process.env gets them; undefined when it has none. */
export function openSecrets(box: Pick<SecretBox, 'open'>, app: AppRecord): AppEnv | undefined {
  if (!app.secrets?.length) return undefined;
  return Object.fromEntries(app.secrets.map((secret) => [secret.name, box.open(secret.sealed, contextOf(app.id, secret.name))]));
}

/** Changes whenever a secret is set or removed (each sealing draws a new IV), without opening any. */
export function secretsStamp(app: AppRecord): string {
  return (app.secrets ?? []).map((secret) => `${secret.name}:${secret.sealed}`).join('\n');
}
