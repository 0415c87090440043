/** @module The bridge between stored app records and the runtime: apps written out as folders, loaded, warmed, invoked and bundled. */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { StartPhase } from '../api/app-starts.ts';
import { loadApp, type LoadedApp } from '../runtime/app.ts';
import type { DependencyInstaller } from '../runtime/deps.ts';
import { EdgeError } from '../base/errors.ts';
import { assertRegistryOnly } from '../runtime/registry-only.ts';
import type { Executor } from '../runtime/executor.ts';
import { InvocationService, type InvocationRequest } from '../runtime/invocation-service.ts';
import type { InvokeResponse } from '../runtime/protocol.ts';
import type { AppEnv } from '../runtime/app-env.ts';
import { openSecrets, secretsStamp } from './app-secrets.ts';
import { describeEntry, renderTree, sameTree, type TreeEntry } from './app-tree.ts';
import { treeHash } from '../runtime/app-files.ts';
import type { VersionPin } from '../runtime/version-pin.ts';
import type { BlobHolder, BlobStore } from './blob-store.ts';
import type { AppRecord } from './data.ts';
import { inTurn } from './in-turn.ts';
import type { SecretBox } from './secret-box.ts';
import type { ActivationStore } from './activations/store.ts';
import { ActivationTracker, type ActivationOrigin } from './activations/tracker.ts';
import type { CallObserver } from '../runtime/call-trace.ts';
import { sampleOf } from '../runtime/profile-samples.ts';
import { appProfileKey } from './profiles/keys.ts';
import type { ProfileStore } from './profiles/store.ts';

/** What a caller sends with an invocation; the function is named by the route. */
export type InvocationEnvelope = Omit<InvocationRequest, 'function'>;

/** How an invocation was asked for, for its activation record: by which trigger, and by whom (undefined: nobody signed in). */
export interface InvocationOrigin {
  trigger: ActivationOrigin['trigger'];
  callerId: string | undefined;
  /** Whose fair share of the sandboxes the call takes (services/app-access.ts `shareOf`); the app's owner's when left out. */
  share?: string;
}

/** A response with the id of the activation that recorded it; none when records are off. */
export type Activated<R extends InvokeResponse = InvokeResponse> = R & { activationId?: string };

/** A file of a bundle: text when its bytes are UTF-8, else base64. */
export type BundleFile = { path: string; text: string } | { path: string; base64: string };

/** An app as files, for `edgecourier pull` and `edgecourier run --local`. */
export interface AppBundle {
  format: 'edgecourier-app-bundle/2';
  name: string;
  entry: string;
  /** Sorted by path. */
  files: BundleFile[];
  /** Anyone else's view: the tree the cloud versions the app by, which an edge run of these files takes (version-pin.ts). */
  version?: VersionPin;
}

export interface AppRuntimeOptions {
  appsDir: string;
  /** Where the bytes of app files are. */
  blobs: Pick<BlobStore, 'holder' | 'path' | 'read'>;
  executor: Executor;
  installer: Pick<DependencyInstaller, 'key' | 'ensure'>;
  /** Opens the apps' secrets, for their functions' process.env only. */
  secrets: Pick<SecretBox, 'open'>;
  /** Where each invocation's activation records go; without it none are made. */
  activations?: Pick<ActivationStore, 'add'>;
  /** Where each call's profile sample goes; without it none are counted. */
  profiles?: Pick<ProfileStore, 'record' | 'remove'>;
  /** Whether invocations are traced, recorded and profiled now: always, unless a benchmark turns it off and on again to measure what that costs. */
  recording?: RecordingSwitch;
  logger: Logger;
}

/** Read at the start of each invocation, so it can be turned while calls run. */
export interface RecordingSwitch {
  readonly on: boolean;
}

const ALWAYS: RecordingSwitch = { on: true };

/** Text only when the bytes decode as UTF-8 and encode back to the same bytes: a bundle must carry every file as it is. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function bundleFile(path: string, bytes: Buffer): BundleFile {
  try {
    return { path, text: strictUtf8.decode(bytes) };
  } catch {
    return { path, base64: bytes.toString('base64') };
  }
}

/**
 * Runs the cloud's apps. An app is written to `<appsDir>/<id>/` and loaded from there, and kept loaded
 * until its files change, so the hot path of an endpoint call neither writes nor reloads anything.
 * @example const response = await runtime.invoke(app, 'greet', { input: { name: 'Ada' } })
 */
export class AppRuntime {
  #appsDir: string;
  #realAppsDir: Promise<string> | undefined;
  #blobs: Pick<BlobStore, 'holder' | 'path' | 'read'>;
  #executor: Executor;
  #installer: Pick<DependencyInstaller, 'key' | 'ensure'>;
  #secrets: Pick<SecretBox, 'open'>;
  #logger: Logger;
  #service: InvocationService;
  #loaded = new Map<string, { tree: TreeEntry[]; secrets: string; app: Promise<LoadedApp> }>();
  /** Writes of each app's folder, one at a time. */
  #fileQueues = new Map<string, Promise<unknown>>();
  /** Starts, stops and deletes of each app; apart from the file queue, since a start loads the app and so queues there. */
  #changeQueues = new Map<string, Promise<unknown>>();
  #activations: Pick<ActivationStore, 'add'> | undefined;
  #profiles: Pick<ProfileStore, 'record' | 'remove'> | undefined;
  #recording: RecordingSwitch;

  constructor(options: AppRuntimeOptions) {
    this.#appsDir = options.appsDir;
    this.#blobs = options.blobs;
    this.#executor = options.executor;
    this.#installer = options.installer;
    this.#secrets = options.secrets;
    this.#activations = options.activations;
    this.#profiles = options.profiles;
    this.#recording = options.recording ?? ALWAYS;
    this.#logger = options.logger.child({ component: 'app-runtime' });
    this.#service = new InvocationService({
      executor: options.executor,
      installer: options.installer,
      onUnexpected: (err, request) => this.#logger.error({ err, fn: request?.function }, 'unexpected error in a call'),
    });
  }

  /** The app as the runtime runs it, written out and loaded again only when its files or secrets changed. */
  load(app: AppRecord): Promise<LoadedApp> {
    const tree = renderTree(app, 'owner');
    const stamp = secretsStamp(app);
    const cached = this.#loaded.get(app.id);
    if (cached && cached.secrets === stamp && sameTree(cached.tree, tree)) return cached.app;
    // Held from now: a change saved while this load waits its turn must not remove the bytes it is about to copy.
    const holder = this.#hold(tree);
    const loading = Promise.resolve()
      .then(() => openSecrets(this.#secrets, app))
      .then((secrets) => inTurn(this.#fileQueues, app.id, () => this.#writeAndLoad(app.id, tree, secrets)))
      .finally(() => holder.release());
    this.#loaded.set(app.id, { tree, secrets: stamp, app: loading });
    // A failure is not kept: it may be passing (a full disk), and the next call tries again.
    loading.catch(() => {
      if (this.#loaded.get(app.id)?.app === loading) this.#loaded.delete(app.id);
    });
    return loading;
  }

  /** True when a call charged to `share` (an account's id) now would be refused BUSY: that share is in use and its line full. */
  refuses(share: string): boolean {
    return this.#executor.refuses(share);
  }

  /**
   * Runs `fn` of the app through the invocation service and records its activations. `answer` turns the response into
   * the one its caller gets (an endpoint's HTTP answer, which may fail on its own), before it is recorded.
   */
  async invoke<R extends InvokeResponse = InvokeResponse>(
    app: AppRecord,
    fn: string,
    envelope: InvocationEnvelope,
    origin: InvocationOrigin = { trigger: 'test-invoke', callerId: app.ownerId },
    answer: (response: InvokeResponse) => R = (response) => response as R,
  ): Promise<Activated<R>> {
    const recording = this.#recording.on;
    const activations = recording ? this.#activations : undefined;
    const tracker =
      activations && new ActivationTracker({ appId: app.id, appVersion: app.activeVersion, trigger: origin.trigger, caller: origin.callerId ?? 'anonymous' });
    // Calls share the sandboxes fairly by tenant: a flood of one user's public endpoint spends only that user's share.
    const invoked = await this.#service.invoke(
      () => this.load(app),
      { function: fn, ...envelope },
      { owner: origin.share ?? app.ownerId, onCall: recording ? this.#observer(app, tracker) : undefined },
    );
    const response = answer(invoked);
    if (!tracker) return response;
    // Made and filed once this answer is sent (store.ts): the caller does not wait for its own records.
    const error = response.ok ? undefined : response.error;
    activations!.add(app.ownerId, () => tracker.records(fn, error));
    return { ...response, activationId: tracker.id };
  }

  /** What each call of a tree is told to: the activation tracker and the profile store, or nothing when both are off (no tracing then). */
  #observer(app: AppRecord, tracker: ActivationTracker | undefined): CallObserver | undefined {
    const profiles = this.#profiles;
    if (!profiles) return tracker && ((trace) => tracker.observe(trace));
    const key = appProfileKey(app.id);
    return (trace) => {
      tracker?.observe(trace);
      const sample = sampleOf(trace, 'cloud');
      if (sample) profiles.record(key, app.ownerId, sample, app.activeVersion);
    };
  }

  /**
   * Loads the app and warms a sandbox for it; fails when that cannot be done, e.g. its dependencies do not install.
   * `onPhase` is told each step as it begins, for those watching the start.
   */
  async start(app: AppRecord, onPhase: (phase: StartPhase) => void = () => {}): Promise<void> {
    onPhase('writing files');
    const loaded = await this.load(app);
    if (loaded.dependencies) {
      onPhase('installing dependencies');
      // Through this runtime's installer, which tells how the install went (the cloud keeps it on the app's version).
      await this.#installer.ensure(loaded.dependencies);
    }
    onPhase('warming sandboxes');
    await this.#executor.warm(loaded);
  }

  async stop(app: AppRecord): Promise<void> {
    await this.#executor.release(await this.#folderOf(app.id));
  }

  /** Warms the apps that were running when the service stopped; an app that fails stays as it is and is logged. */
  async restore(apps: AppRecord[]): Promise<void> {
    await Promise.all(
      apps.map((app) => this.start(app).catch((err: unknown) => this.#logger.warn({ err, appId: app.id }, 'could not warm a running app at start'))),
    );
  }

  /**
   * Runs a start, stop or delete of the app after those asked for before it, so that a slow start cannot
   * finish after a later stop or delete and leave warm sandboxes behind.
   * @example await runtime.changeInTurn(app.id, () => runtime.stop(app))
   */
  changeInTurn<T>(appId: string, change: () => Promise<T>): Promise<T> {
    return inTurn(this.#changeQueues, appId, change);
  }

  /** Stops the app and removes everything kept for it but its activation records, which no route shows once the app is gone and which leave with their segments. */
  async forget(app: AppRecord): Promise<void> {
    await this.stop(app);
    this.#profiles?.remove(appProfileKey(app.id));
    this.#loaded.delete(app.id);
    const folder = await this.#folderOf(app.id);
    await inTurn(this.#fileQueues, app.id, () => rm(folder, { recursive: true, force: true }));
  }

  /** The app as files, in the owner's view or anyone else's (app-tree.ts); `entry` must be among its functions. */
  async bundle(app: AppRecord, entry: string, view: 'owner' | 'public'): Promise<AppBundle> {
    const functions = view === 'owner' ? app.functions : app.functions.filter((fn) => fn.public);
    if (!functions.some((fn) => fn.name === entry)) throw new EdgeError('FUNCTION_NOT_FOUND', `app "${app.name}" has no function "${entry}"`);
    const tree = renderTree(app, view);
    const holder = this.#hold(tree);
    try {
      const files = await Promise.all(
        tree.map(async (entry) =>
          'blob' in entry ? bundleFile(entry.path, await this.#blobs.read(entry.blob.sha256)) : { path: entry.path, text: entry.text },
        ),
      );
      const version = view === 'public' ? { tree: treeHash(renderTree(app, 'owner').map(describeEntry)), shown: treeHash(tree.map(describeEntry)) } : undefined;
      return { format: 'edgecourier-app-bundle/2', name: app.name, entry, files, ...(version && { version }) };
    } finally {
      holder.release();
    }
  }

  #hold(tree: TreeEntry[]): BlobHolder {
    const holder = this.#blobs.holder();
    for (const entry of tree) if ('blob' in entry) holder.hold(entry.blob.sha256);
    return holder;
  }

  async #folderOf(appId: string): Promise<string> {
    // Real path, as loadApp gives it: the executor knows an app's sandboxes by that path.
    this.#realAppsDir ??= mkdir(this.#appsDir, { recursive: true }).then(() => realpath(this.#appsDir));
    return join(await this.#realAppsDir, appId);
  }

  /** Written beside the folder and renamed into place, one app at a time, so no load ever sees half an app. */
  async #writeAndLoad(appId: string, tree: TreeEntry[], secrets: AppEnv | undefined): Promise<LoadedApp> {
    // The routes refuse such a package.json; a record stored before they did must not install either.
    const packageJson = tree.find((entry) => entry.path === 'package.json');
    if (packageJson && 'text' in packageJson) await assertRegistryOnly(packageJson.text);
    const folder = await this.#folderOf(appId);
    const temp = join(dirname(folder), `.${appId}.tmp-${randomBytes(6).toString('hex')}`);
    try {
      for (const entry of tree) {
        const target = join(temp, entry.path);
        await mkdir(dirname(target), { recursive: true });
        if ('blob' in entry) {
          await copyFile(this.#blobs.path(entry.blob.sha256), target);
          // Readable by the sandbox's user, as written files are: blobs are private to the cloud.
          await chmod(target, 0o644);
        } else await writeFile(target, entry.text);
      }
      await rm(folder, { recursive: true, force: true });
      await rename(temp, folder);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    // The secrets go to the runtime in memory; the folder holds only what a bundle holds.
    // A tenant's packages may not send npm anywhere on the cloud's host but the registry.
    return loadApp(folder, { dependencyKey: (manifest) => this.#installer.key(manifest), secrets, registryOnly: true });
  }
}
