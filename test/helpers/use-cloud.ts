/** @module One cloud for a test file's tests: started with a user signed up before them, closed after them; and the environment of the CLI using it. */
import type { TestFn } from 'ava';
import { join } from 'node:path';
import { api, startTestCloud, type ApiAnswer, type TestCloudOptions } from './cloud.ts';
import { signUpUser, startDockerCloud, USER_PASSWORD, type DockerCloudOptions } from './cloud-apps.ts';

/**
 * Functions as plain processes and no mail server (startTestCloud), unless `docker` (startDockerCloud); a user signed
 * up, unless `signUp: false` (for files that sign theirs up through the CLI).
 */
export type UseCloudOptions = (({ docker?: false } & TestCloudOptions) | ({ docker: true } & DockerCloudOptions)) & { signUp?: boolean };

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
    if (options.signUp !== false) user = await signUpUser(cloud.url);
  });
  test.after.always(async () => {
    await cloud?.close();
  });
  const started = () => {
    if (!cloud) throw new Error('the cloud of useCloud is read before its before hook ran');
    return cloud;
  };
  const signedUp = () => {
    if (!user)
      throw new Error(options.signUp === false ? 'useCloud signed nobody up (signUp: false)' : 'the user of useCloud is read before its before hook ran');
    return user;
  };
  return {
    get url() {
      return started().url;
    },
    get dataDir() {
      return started().dataDir;
    },
    get email() {
      return signedUp().email;
    },
    get token() {
      return signedUp().token;
    },
    call: (method, path, body) => api(started().url, method, `/api/v1${path}`, body, signedUp().token),
  };
}

/**
 * The environment of the edgecourier command for a person using the cloud at `url`: its saved token in `dir`, the
 * helpers' password for signup and login, and no token from this process's environment.
 */
export function cliEnv(url: string, dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EDGECOURIER_CREDENTIALS: join(dir, 'credentials.json'),
    EDGECOURIER_PASSWORD: USER_PASSWORD,
    EDGECOURIER_URL: url,
  };
  delete env.EDGECOURIER_TOKEN;
  return env;
}
