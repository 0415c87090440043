/**
 * @module An app's secrets and their rules: set, listed and removed with FULL_CONTROL only (the owner, and those it
 * granted that), sealed before they are stored, never given back; how many an app holds and how large they are
 * together. A change retires the app's sandboxes, which hold the old values.
 */
import { EdgeError } from '../../base/errors.ts';
import { envLimits } from '../../runtime/app-env.ts';
import type { AppRuntime } from '../app-runtime.ts';
import { sealSecret } from '../app-secrets.ts';
import type { AppRecord, SecretRecord } from '../data.ts';
import type { SecretBox } from '../secret-box.ts';
import type { AppStore } from '../stores/apps.ts';
import { appFor } from './app-access.ts';

export interface SecretServiceDeps {
  apps: Pick<AppStore, 'byId' | 'save'>;
  box: Pick<SecretBox, 'seal'>;
  /** Runs each app's changes in turn, and lets go of its sandboxes. */
  runtime: Pick<AppRuntime, 'changeInTurn' | 'stop'>;
  now?: () => number;
}

/** Each method names the caller (`userId`), who needs FULL_CONTROL of the app. */
export interface SecretService {
  /** Sets the secret `name` of the app to `value`, adding it (`created`) or replacing its value; the record has no value to show. */
  set(userId: string, appId: string, name: string, value: string): Promise<{ secret: SecretRecord; created: boolean }>;
  list(userId: string, appId: string): SecretRecord[];
  /** SECRET_NOT_FOUND unless the app has a secret of that name. */
  remove(userId: string, appId: string, name: string): Promise<void>;
}

/** The app's secrets as they would be with `name` set to a value of `valueBytes`, against the caps of one set of variables. */
function assertRoom(app: AppRecord, name: string, valueBytes: number): void {
  const others = (app.secrets ?? []).filter((secret) => secret.name !== name);
  if (others.length >= envLimits.count) {
    throw new EdgeError('QUOTA_EXCEEDED', `app "${app.name}" holds at most ${envLimits.count} secrets; remove one first`);
  }
  // Counted as app.json's settings are, without opening the stored values.
  const total = others.reduce((sum, secret) => sum + Buffer.byteLength(secret.name) + secret.bytes, Buffer.byteLength(name) + valueBytes);
  if (total > envLimits.totalBytes) {
    throw new EdgeError('QUOTA_EXCEEDED', `app "${app.name}" holds at most ${envLimits.totalBytes} bytes of secret names and values; remove one first`);
  }
}

/**
 * The secret service over the app store, the secret box and the runtime.
 * @example await secretService({ apps, box, runtime }).set(user.id, app.id, 'API_KEY', 'sk-…')
 */
export function secretService(deps: SecretServiceDeps): SecretService {
  const now = deps.now ?? Date.now;

  /** After the app's starts and stops asked for before; its sandboxes go, so the next call gets the new values. */
  const change = async <T>(userId: string, appId: string, act: (app: AppRecord) => T): Promise<T> => {
    appFor(deps.apps, userId, appId, 'FULL_CONTROL');
    return deps.runtime.changeInTurn(appId, async () => {
      const app = appFor(deps.apps, userId, appId, 'FULL_CONTROL');
      const result = act(app);
      await deps.apps.save(app);
      await deps.runtime.stop(app);
      return result;
    });
  };

  return {
    set: (userId, appId, name, value) =>
      change(userId, appId, (app) => {
        const bytes = Buffer.byteLength(value);
        assertRoom(app, name, bytes);
        const at = new Date(now()).toISOString();
        const sealed = sealSecret(deps.box, app.id, name, value);
        const existing = app.secrets?.find((secret) => secret.name === name);
        if (existing) return { secret: Object.assign(existing, { sealed, bytes, updatedAt: at }), created: false };
        const secret: SecretRecord = { name, sealed, bytes, createdAt: at, updatedAt: at };
        app.secrets = [...(app.secrets ?? []), secret].sort((a, b) => (a.name < b.name ? -1 : 1));
        return { secret, created: true };
      }),
    list: (userId, appId) => appFor(deps.apps, userId, appId, 'FULL_CONTROL').secrets ?? [],
    remove: (userId, appId, name) =>
      change(userId, appId, (app) => {
        if (!app.secrets?.some((secret) => secret.name === name)) throw new EdgeError('SECRET_NOT_FOUND', `app "${app.name}" has no secret "${name}"`);
        app.secrets = app.secrets.filter((secret) => secret.name !== name);
      }),
  };
}
