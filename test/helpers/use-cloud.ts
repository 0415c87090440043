/** @module One cloud for a test file's tests: started with a user signed up before them, closed after them. */
import type { TestFn } from 'ava';
import { api, startTestCloud, type ApiAnswer, type TestCloudOptions } from './cloud.ts';
import { signUpUser, startDockerCloud, type DockerCloudOptions } from './cloud-apps.ts';

/** Functions as plain processes and no mail server (startTestCloud), unless `docker` (startDockerCloud). */
export type UseCloudOptions = ({ docker?: false } & TestCloudOptions) | ({ docker: true } & DockerCloudOptions);

/** The cloud of useCloud and its user; readable from its before hook on (in tests, and in hooks declared after it). */
export interface CloudWithUser {
  readonly url: string;
  readonly dataDir: string;
  /** The user's address; its password is USER_PASSWORD. */
  readonly email: string;
  /** The user's session token. */
  readonly token: string;
  /** A request under /api/v1 as the user. */
  call(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
}

/**
 * Registers the hooks that start a cloud and sign a user up before the file's tests, and close the cloud after them.
 * The hook is serial, so before hooks declared after it run once the cloud is up.
 * @example const cloud = useCloud(test); test('…', async (t) => { await api(cloud.url, 'GET', '/api/v1/apps', undefined, cloud.token) })
 */
export function useCloud(test: TestFn, options: UseCloudOptions = {}): CloudWithUser {
  let cloud: { url: string; dataDir: string; close(): Promise<void> } | undefined;
  let user: { email: string; token: string } | undefined;
  test.serial.before(async () => {
    cloud = options.docker ? await startDockerCloud(options) : await startTestCloud({ smtp: false, ...options });
    user = await signUpUser(cloud.url);
  });
  test.after.always(async () => {
    await cloud?.close();
  });
  const started = () => {
    if (!cloud || !user) throw new Error('the cloud of useCloud is read before its before hook ran');
    return { cloud, user };
  };
  return {
    get url() {
      return started().cloud.url;
    },
    get dataDir() {
      return started().cloud.dataDir;
    },
    get email() {
      return started().user.email;
    },
    get token() {
      return started().user.token;
    },
    call: (method, path, body) => api(started().cloud.url, method, `/api/v1${path}`, body, started().user.token),
  };
}
