/** @module Test helpers for apps in the cloud: the service on real Docker, users signed up over the API, and apps built from a short description. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCloud, type CloudSettings } from '../../cloud/main.ts';
import type { FolderAppService } from '../../cloud/services/folder-apps.ts';
import { createExecutor } from '../../docker/executor-factory.ts';
import { api, freshEmail, type ApiAnswer } from './cloud.ts';
import { tempFolder } from './temp.ts';

export interface DockerCloud {
  url: string;
  dataDir: string;
  /** Publishes a synced folder's app as `edgecourier start --owner` does, without a courier watching a folder. */
  folderApps: FolderAppService;
  close(): Promise<void>;
}

export interface DockerCloudOptions {
  /** Start on this data folder, e.g. a closed cloud's, to test a restart; a fresh one by default. */
  dataDir?: string;
  activations?: CloudSettings['activations'];
  /** Every line the executor logs (dependency installs among them). */
  log?: (line: string) => void;
}

/** The cloud with its own data folder and a Docker executor with its own caches (startTestCloud runs plain processes). */
export async function startDockerCloud(options: DockerCloudOptions = {}): Promise<DockerCloud> {
  const base = await tempFolder('ec-cloud-apps');
  const dataDir = options.dataDir ?? join(base, 'data');
  const executor = await createExecutor({ cacheDir: join(base, 'cache'), prestart: 1, ...(options.log && { log: options.log }) });
  const cloud = await startCloud({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    attemptsPerMinute: 10_000,
    activations: options.activations,
    executor,
    logger: pino({ level: 'silent' }),
  });
  return {
    url: cloud.url,
    dataDir,
    folderApps: cloud.folderApps,
    async close() {
      await cloud.close();
      await executor.executor.close();
    },
  };
}

/** The password of every user the helpers sign up. */
export const USER_PASSWORD = 'correct horse battery';

/** Signs a fresh user up and logs in; resolves with its address and session token. */
export async function signUpUser(url: string): Promise<{ email: string; token: string }> {
  const credentials = { email: freshEmail('apps'), password: USER_PASSWORD };
  await api(url, 'POST', '/api/v1/accounts', credentials);
  const { body } = await api(url, 'POST', '/api/v1/sessions', credentials);
  return { email: credentials.email, token: body.token as string };
}

/** Signs a fresh user up and logs in; resolves with the session token. */
export async function newUser(url: string): Promise<string> {
  return (await signUpUser(url)).token;
}

export interface FunctionSpec {
  code: string;
  language?: 'js' | 'ts';
  idempotent?: boolean;
  public?: boolean;
}

export interface EndpointSpec {
  method: string;
  path: string;
  function: string;
  public?: boolean;
  response?: 'json' | 'http';
}

/** Functions most tests use: greet (js, logs, calls upper), upper (ts, idempotent), echo, fails. */
export const sampleFunctions = {
  greet: {
    code: `export default async function greet(input, ctx) {
  console.log('greeting ' + input.name);
  const shout = await ctx.call('upper', { text: input.name });
  return { message: 'hello ' + shout };
}
`,
  },
  upper: {
    code: 'export default function upper(input: { text: string }): string {\n  return input.text.toUpperCase();\n}\n',
    language: 'ts',
    idempotent: true,
  },
  echo: { code: 'export default (input) => input;\n' },
  fails: { code: "export default (input) => { console.error('about to fail'); throw new Error('refused: ' + input.why); };\n" },
} satisfies Record<string, FunctionSpec>;

/** Creates an app of `token`'s user with the functions and endpoints given; resolves with the app as the API answered it last. */
export async function makeApp(url: string, token: string, functions: Record<string, FunctionSpec>, endpoints: EndpointSpec[] = []): Promise<any> {
  const created = await api(url, 'POST', '/api/v1/apps', { name: `app-${Math.random().toString(36).slice(2, 10)}` }, token);
  if (created.status !== 201) throw new Error(`creating an app answered ${created.status}: ${created.text}`);
  const base = `/api/v1/apps/${created.body.id}`;
  for (const [name, spec] of Object.entries(functions)) {
    const put = await api(url, 'PUT', `${base}/functions/${name}`, spec, token);
    if (put.status !== 201) throw new Error(`putting ${name} answered ${put.status}: ${put.text}`);
  }
  for (const endpoint of endpoints) {
    const made = await api(url, 'POST', `${base}/endpoints`, endpoint, token);
    if (made.status !== 201) throw new Error(`making ${endpoint.method} ${endpoint.path} answered ${made.status}: ${made.text}`);
  }
  return (await api(url, 'GET', base, undefined, token)).body;
}

export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** Uploads bytes for a deploy as `token`'s user. */
export async function uploadBytes(url: string, token: string, bytes: Uint8Array | string, hash = sha256(bytes)): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/api/v1/uploads/${hash}`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: bytes });
  return { status: response.status, body: await response.json() };
}

/**
 * Uploads every file and deploys them as `token`'s app `name`, with what else the deploy says (a tag, a message).
 * @example await deployFiles(cloud.url, token, 'shop', { 'functions/greet.js': 'export default () => 1;' }, { tag: '1.0.0' })
 */
export async function deployFiles(
  url: string,
  token: string,
  name: string,
  files: Record<string, Uint8Array | string>,
  extra: { tag?: string; message?: string } = {},
): Promise<ApiAnswer> {
  for (const bytes of Object.values(files)) {
    const uploaded = await uploadBytes(url, token, bytes);
    if (uploaded.status !== 201) throw new Error(`uploading answered ${uploaded.status}: ${JSON.stringify(uploaded.body)}`);
  }
  const manifest = Object.entries(files).map(([path, bytes]) => ({ path, sha256: sha256(bytes) }));
  return api(url, 'POST', '/api/v1/deploys', { name, files: manifest, ...extra }, token);
}
