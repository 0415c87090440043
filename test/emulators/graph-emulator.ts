/**
 * @module A loopback Microsoft Graph (OneDrive) for tests: HTTPS with a self-signed certificate, an in-memory drive,
 * the identity platform's token endpoint, and controls to change files as another client would, expire delta
 * links and inject failures.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { EmulatedDrive } from './graph-drive.ts';
import { matchRoute, type GraphRoute, type Match } from './graph-routes.ts';
import { graphError, type EmulatorState, type RefreshGrant, type Reply, type Request } from './graph-wire.ts';
import { createTestCertificate, type TestCertificate } from './test-certificate.ts';

export type { GraphRoute } from './graph-routes.ts';

export interface GraphEmulatorOptions {
  /** Made afresh when not given; one per test file is enough. */
  certificate?: TestCertificate;
  /** Items per delta page (default 50). */
  pageSize?: number;
  /** A token valid from the start (default a random one). */
  accessToken?: string;
  /** The refresh token the token endpoint accepts for `clientId`. */
  refreshToken?: string;
  clientId?: string;
  /** Lifetime of the access tokens the token endpoint issues (default 3600 s). */
  tokenLifetimeSeconds?: number;
}

export interface InjectedFailure {
  status: number;
  retryAfterSeconds?: number;
}

const secret = () => randomBytes(18).toString('base64url');
const routes: GraphRoute[] = [
  'item',
  'delta',
  'content',
  'download',
  'upload',
  'createFolder',
  'createUploadSession',
  'uploadRange',
  'cancelUploadSession',
  'token',
];

/**
 * Microsoft Graph on loopback for the real SDK: give the client `baseUrl` and `customHosts`, and make the test
 * process trust the certificate first (trustCertificate, or NODE_EXTRA_CA_CERTS=certPath at its start).
 * @example const graph = await GraphEmulator.start({ certificate }); graph.putFile('edge/shop/requests/a.json', '{}')
 */
export class GraphEmulator {
  /** Graph's address for the client's `baseUrl`; its host goes in `customHosts`. */
  readonly baseUrl: string;
  readonly customHosts = new Set(['localhost']);
  /** The identity platform's address: the token endpoint is `${authorityUrl}/<tenant>/oauth2/v2.0/token`. */
  readonly authorityUrl: string;
  readonly certPath: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly clientId: string;
  /** Requests per route, refused and failed ones included. */
  readonly calls = Object.fromEntries(routes.map((route) => [route, 0])) as Record<GraphRoute, number>;
  /** Every access token the token endpoint issued. */
  readonly issuedTokens: string[] = [];
  readonly #server: Server;
  readonly #state: EmulatorState;
  readonly #failures = new Map<GraphRoute, InjectedFailure[]>();
  readonly #tokenExpiry = new Map<string, number>();
  readonly #refreshTokens = new Set<string>();

  static async start(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
    const certificate = options.certificate ?? createTestCertificate();
    const server = createServer({ cert: certificate.cert, key: certificate.key });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const emulator = new GraphEmulator(server, (server.address() as AddressInfo).port, certificate.certPath, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => void emulator.#serve(request, response).catch(() => response.destroy()));
    return emulator;
  }

  private constructor(server: Server, port: number, certPath: string, options: GraphEmulatorOptions) {
    this.#server = server;
    this.baseUrl = `https://localhost:${port}`;
    this.authorityUrl = `${this.baseUrl}/login`;
    this.certPath = certPath;
    this.accessToken = options.accessToken ?? secret();
    this.refreshToken = options.refreshToken ?? secret();
    this.clientId = options.clientId ?? 'edgecourier-test-client';
    this.#refreshTokens.add(this.refreshToken);
    const lifetime = options.tokenLifetimeSeconds ?? 3600;
    this.#state = {
      drive: new EmulatedDrive(),
      graphUrl: this.baseUrl,
      otherHostUrl: `https://127.0.0.1:${port}`,
      signature: secret(),
      pageSize: options.pageSize ?? 50,
      deltaGeneration: 1,
      rounds: new Map(),
      sessions: new Map(),
      uploadSessions: 0,
      issueTokens: (grant) => this.#issueTokens(grant, lifetime),
    };
  }

  /** Upload sessions created so far. */
  get uploadSessions(): number {
    return this.#state.uploadSessions;
  }

  /** Writes a file (path from the drive's root, e.g. 'edge/app/requests/a.json') as another client would. */
  putFile(path: string, content: Buffer | string): void {
    this.#state.drive.writeFile(path, Buffer.from(content));
  }

  deleteFile(path: string): void {
    if (!this.#state.drive.remove(path)) throw new Error(`the emulated drive has nothing at ${path}`);
  }

  getFile(path: string): Buffer | undefined {
    const item = this.#state.drive.find(path);
    return item?.kind === 'file' ? item.content : undefined;
  }

  /** Whether a file, a folder or nothing is at `path`. */
  kindAt(path: string): 'file' | 'folder' | undefined {
    return this.#state.drive.find(path)?.kind;
  }

  /** Every delta link handed out so far answers 410 Gone (resyncRequired) from now on. */
  expireDeltaLinks(): void {
    this.#state.deltaGeneration++;
  }

  /** The next request of `route` gets this failure instead of its answer. */
  failNext(route: GraphRoute, failure: InjectedFailure): void {
    this.#failures.set(route, [...(this.#failures.get(route) ?? []), failure]);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  async #serve(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const request: Request = {
      method: incoming.method ?? 'GET',
      url: new URL(incoming.url ?? '/', this.baseUrl),
      headers: incoming.headers,
      body: Buffer.concat(chunks),
    };
    let reply: Reply;
    try {
      reply = this.#answer(request);
    } catch (error) {
      reply = graphError(500, 'generalException', `The emulator failed: ${String(error)}`);
    }
    const type = reply.json === undefined ? {} : { 'Content-Type': 'application/json; odata.metadata=minimal; charset=utf-8' };
    response.writeHead(reply.status, { ...type, ...reply.headers });
    response.end(reply.json === undefined ? reply.bytes : JSON.stringify(reply.json));
  }

  #answer(request: Request): Reply {
    const match = matchRoute(request.method, request.url);
    if (!match) return graphError(400, 'BadRequest', `The emulator has no route for ${request.method} ${request.url.pathname}.`);
    this.calls[match.route]++;
    const refusal = this.#refuseAccess(match, request);
    if (refusal) return refusal;
    const failure = this.#failures.get(match.route)?.shift();
    if (!failure) return match.run(this.#state, request);
    const headers = failure.retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(failure.retryAfterSeconds) };
    if (match.route === 'token')
      return { status: failure.status, ...(headers && { headers }), json: { error: 'temporarily_unavailable', error_description: 'Injected failure.' } };
    return graphError(failure.status, failure.status === 429 ? 'activityLimitReached' : 'serviceNotAvailable', 'Injected failure.', headers);
  }

  /** Graph wants a valid bearer token; a pre-authenticated URL wants its signature and no token at all (Graph may refuse one there). */
  #refuseAccess(match: Match, request: Request): Reply | undefined {
    const authorization = request.headers.authorization;
    if (match.access === 'signed' && (authorization !== undefined || request.url.searchParams.get('sig') !== this.#state.signature)) {
      return graphError(401, 'unauthenticated', 'A pre-authenticated URL takes no Authorization header and needs its signature.');
    }
    if (match.access !== 'bearer') return undefined;
    const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : '';
    if (token === '') return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const valid = token === this.accessToken || (this.#tokenExpiry.get(token) ?? 0) > Date.now();
    return valid ? undefined : graphError(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
  }

  /** Issues a new access token and a rotated refresh token, as the identity platform does; the old refresh token keeps working. */
  #issueTokens(grant: RefreshGrant, lifetimeSeconds: number): ReturnType<EmulatorState['issueTokens']> {
    if (grant.client_id !== this.clientId || !this.#refreshTokens.has(grant.refresh_token)) return undefined;
    const [accessToken, refreshToken] = [secret(), secret()];
    this.#tokenExpiry.set(accessToken, Date.now() + lifetimeSeconds * 1000);
    this.#refreshTokens.add(refreshToken);
    this.issuedTokens.push(accessToken);
    return { access_token: accessToken, refresh_token: refreshToken, expires_in: lifetimeSeconds };
  }
}
