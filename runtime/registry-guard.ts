/**
 * @module A forward proxy on loopback that lets an npm run reach one registry and nothing else: a CONNECT or
 * plain HTTP request to the registry's host and port goes through (by the host's own proxy when it has one),
 * anything else is answered 403 and remembered, so the installer can say what a dependency tried to reach.
 */
import { createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface RegistryGuard {
  /** The proxy's URL, for npm's `--proxy` and `--https-proxy`. */
  url: string;
  /** What was refused, in order, each once: `https://host:port` for a tunnel, the URL for a plain request. */
  readonly refused: readonly string[];
  /** Stops listening and ends every connection still open. */
  close(): Promise<void>;
}

/** Capped: what a dependency names is the package author's to choose. */
const MAX_REFUSED = 10;
const MAX_TARGET_CHARS = 200;

/** `host:port` with the scheme's default port filled in, lower-cased, as a CONNECT line names it. */
function authority(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`.toLowerCase();
}

/** The Proxy-Authorization header for the user and password in a proxy's URL, if it has them. */
function proxyAuthorization(upstream: URL): OutgoingHttpHeaders {
  if (!upstream.username) return {};
  const credentials = `${decodeURIComponent(upstream.username)}:${decodeURIComponent(upstream.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/** A request's headers less those meant for this proxy alone. */
function forwardedHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const { 'proxy-authorization': _auth, 'proxy-connection': _connection, ...rest } = req.headers;
  return rest;
}

/** Joins a client's socket to one opened towards the registry, and ends both when either ends. */
function splice(client: Duplex, server: Socket, head: Buffer, answered: Buffer): void {
  client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  if (answered.length > 0) client.write(answered);
  if (head.length > 0) server.write(head);
  server.pipe(client).pipe(server);
  for (const side of [client, server]) side.on('error', () => [client, server].forEach((s) => s.destroy()));
}

/** Sends a plain request the guard let through on to the registry, or to the host's proxy for it, and its answer back. */
function forward(req: IncomingMessage, res: ServerResponse, target: URL, upstream: URL | undefined): void {
  const headers = { ...forwardedHeaders(req), ...(upstream ? proxyAuthorization(upstream) : {}) };
  const onward = upstream
    ? request({ host: upstream.hostname, port: upstream.port || 80, method: req.method, path: target.href, headers })
    : request(target, { method: req.method, headers });
  onward.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  onward.on('error', (error) => (res.headersSent ? res.destroy() : res.writeHead(502, { 'content-type': 'text/plain' }).end(`${error.message}\n`)));
  res.once('close', () => onward.destroy());
  req.pipe(onward);
}

/** Opens a socket to the registry, directly or by a CONNECT to the host's proxy, and gives it to `ready` with the bytes that came with the proxy's answer. */
function openTunnel(registry: URL, upstream: URL | undefined, ready: (socket: Socket, answered: Buffer) => void, fail: (why: string) => void): void {
  const target = authority(registry);
  if (!upstream) {
    const socket = connect(Number(target.slice(target.lastIndexOf(':') + 1)), registry.hostname);
    const onError = (error: Error) => fail(error.message);
    socket.once('error', onError).once('connect', () => {
      socket.off('error', onError);
      ready(socket, Buffer.alloc(0));
    });
    return;
  }
  const headers = { host: target, ...proxyAuthorization(upstream) };
  const tunnel = request({ host: upstream.hostname, port: upstream.port || 80, method: 'CONNECT', path: target, headers });
  tunnel.once('connect', (answer, socket, answered) => {
    if (answer.statusCode === 200) return ready(socket, answered);
    socket.destroy();
    fail(`the host's proxy ${upstream.host} answered ${answer.statusCode} to CONNECT ${target}`);
  });
  tunnel.once('error', (error) => fail(error.message));
  tunnel.end();
}

/** An HTTP answer written on a raw socket, as a CONNECT is answered, and the socket ended. */
function answerRaw(client: Duplex, status: string, body: string): void {
  client.end(`HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/**
 * Starts a guard that lets through requests to `registry`'s host and port only, directly or through `upstream`.
 * @example const guard = await startRegistryGuard(new URL('https://registry.npmjs.org/')); spawn('npm', [`--https-proxy=${guard.url}`])
 */
export async function startRegistryGuard(registry: URL, upstream?: URL): Promise<RegistryGuard> {
  const allowed = authority(registry);
  const refused: string[] = [];
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const refuse = (target: string): string => {
    const shown = target.slice(0, MAX_TARGET_CHARS);
    if (refused.length < MAX_REFUSED && !refused.includes(shown)) refused.push(shown);
    return `${shown} is not the npm registry (${registry.origin}): this install may reach the registry only\n`;
  };

  const server = createServer((req, res) => {
    let target: URL | undefined;
    try {
      target = new URL(req.url ?? '');
    } catch {
      // A request for the proxy itself rather than through it.
    }
    if (target?.protocol === 'http:' && authority(target) === allowed) return forward(req, res, target, upstream);
    res.writeHead(403, { 'content-type': 'text/plain' }).end(refuse(target?.href ?? String(req.url)));
  });
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    client.on('error', () => client.destroy());
    const target = (req.url ?? '').toLowerCase();
    if (target !== allowed) return answerRaw(client, '403 Forbidden', refuse(`https://${target}`));
    openTunnel(
      registry,
      upstream,
      (socket, answered) => {
        track(socket);
        splice(client, socket, head, answered);
      },
      (why) => answerRaw(client, '502 Bad Gateway', `${why}\n`),
    );
  });
  server.on('connection', track);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
