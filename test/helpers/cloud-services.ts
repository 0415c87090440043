/** @module Test helpers for the cloud's services: the real stores over a fresh lowdb file, and the real AppRuntime over a HeldExecutor. */
import { join } from 'node:path';
import { pino } from 'pino';
import { randomBytes } from 'node:crypto';
import { ActivationStore } from '../../cloud/activations/store.ts';
import { AppRuntime } from '../../cloud/app-runtime.ts';
import { BlobStore } from '../../cloud/blob-store.ts';
import { secretBox } from '../../cloud/secret-box.ts';
import type { FunctionRecord } from '../../cloud/data.ts';
import { openDb } from '../../cloud/db.ts';
import { appStore } from '../../cloud/stores/apps.ts';
import { courierStore } from '../../cloud/stores/couriers.ts';
import { resetStore } from '../../cloud/stores/resets.ts';
import { rootStore } from '../../cloud/stores/roots.ts';
import { tokenStore } from '../../cloud/stores/tokens.ts';
import { userStore } from '../../cloud/stores/users.ts';
import { DependencyInstaller } from '../../runtime/deps.ts';
import { HeldExecutor } from './held-executor.ts';
import { tempFolder } from './temp.ts';

/** Every store of the cloud over one new database file, and its blob store. */
export async function openStores() {
  const dir = await tempFolder('ec-stores');
  const blobs = new BlobStore(join(dir, 'blobs'));
  const db = await openDb(join(dir, 'cloud.json'), { blobs });
  return {
    db,
    blobs,
    apps: appStore(db),
    users: userStore(db),
    tokens: tokenStore(db),
    resets: resetStore(db),
    roots: rootStore(db),
    couriers: courierStore(db),
  };
}

/** The cloud's AppRuntime with its apps in a fresh folder, over an executor the test holds and the stores' blobs, recording activations in a store of its own. */
export async function heldRuntime(
  executor = new HeldExecutor(),
  blobs?: BlobStore,
): Promise<{ runtime: AppRuntime; executor: HeldExecutor; activations: ActivationStore }> {
  const base = await tempFolder('ec-runtime');
  const activations = await ActivationStore.open({ dir: join(base, 'activations') });
  const runtime = new AppRuntime({
    appsDir: join(base, 'apps'),
    blobs: blobs ?? new BlobStore(join(base, 'blobs')),
    executor,
    installer: new DependencyInstaller({ cacheDir: join(base, 'deps') }),
    secrets: secretBox(randomBytes(32)),
    activations,
    logger: pino({ level: 'silent' }),
  });
  return { runtime, executor, activations };
}

/** A function's code and settings, as the function route hands them to the service. */
export const source = (code = 'export default () => 1', settings: Partial<Omit<FunctionRecord, 'name' | 'updatedAt'>> = {}) => ({
  code,
  language: 'js' as const,
  idempotent: false,
  public: false,
  ...settings,
});
