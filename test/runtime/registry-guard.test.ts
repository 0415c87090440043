/**
 * The guard an install kept to the registry goes through: tunnels and requests to the registry pass, directly or
 * by the host's own proxy; anything else is refused with 403 and remembered. And which host proxy npm would use.
 */
import test from 'ava';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { EdgeError } from '../../base/errors.ts';
import { upstreamProxy, type NpmProxySettings } from '../../runtime/npm-network.ts';
import { startRegistryGuard, type RegistryGuard } from '../../runtime/registry-guard.ts';

const portOf = (server: Server) => (server.address() as AddressInfo).port;

async function listening(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** A registry stand-in that answers every request with where it came in. */
const registry = await listening(createServer((req, res) => res.end(`registry ${req.url}`)));
/** Something else on the host that no install may reach. */
const other = await listening(createServer((_req, res) => res.end('other')));
const registryUrl = new URL(`http://127.0.0.1:${portOf(registry)}/`);

/** The host's own proxy: it records what it is asked, answers plain requests itself, and tunnels CONNECTs. */
const seenUpstream: string[] = [];
const upstream = await listening(
  createServer((req, res) => {
    seenUpstream.push(`${req.method} ${req.url} ${req.headers['proxy-authorization'] ?? ''}`);
    res.end('from the host proxy');
  }),
);
upstream.on('connect', (req: IncomingMessage, client: Socket) => {
  seenUpstream.push(`CONNECT ${req.url} ${req.headers['proxy-authorization'] ?? ''}`);
  const [host, port] = (req.url ?? '').split(':');
  const socket = connect(Number(port), host, () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    socket.pipe(client).pipe(socket);
  });
});

test.after.always(() => {
  for (const server of [registry, other, upstream]) {
    server.close();
    server.closeAllConnections();
  }
});

/** A plain HTTP request through the guard, as npm sends one for an http: URL: status and body. */
function proxied(guard: RegistryGuard, url: string): Promise<[number, string]> {
  const proxy = new URL(guard.url);
  return new Promise((resolve, reject) => {
    request({ host: proxy.hostname, port: proxy.port, path: url }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve([res.statusCode ?? 0, body]));
    })
      .on('error', reject)
      .end();
  });
}

/** A CONNECT through the guard, as npm opens one for an https: URL, then a GET over the tunnel when it is open. */
function tunnelled(guard: RegistryGuard, target: string): Promise<[number, string]> {
  const proxy = new URL(guard.url);
  return new Promise((resolve, reject) => {
    request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: target })
      .on('connect', (res, socket) => {
        if (res.statusCode !== 200) return void resolve([res.statusCode ?? 0, '']);
        let answer = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
        socket.on('end', () => resolve([200, answer.split('\r\n\r\n')[1] ?? '']));
        socket.write(`GET /through-the-tunnel HTTP/1.1\r\nhost: ${target}\r\nconnection: close\r\n\r\n`);
      })
      .on('error', reject)
      .end();
  });
}

test('the registry is reached by plain requests and by tunnels; any other host is refused with 403 and remembered once', async (t) => {
  const guard = await startRegistryGuard(registryUrl);
  t.teardown(() => guard.close());
  const elsewhere = `127.0.0.1:${portOf(other)}`;
  t.deepEqual(await proxied(guard, `${registryUrl.href}leaf`), [200, 'registry /leaf']);
  t.deepEqual(await tunnelled(guard, `127.0.0.1:${portOf(registry)}`), [200, 'registry /through-the-tunnel']);
  const [status, body] = await proxied(guard, `http://${elsewhere}/x.tgz`);
  t.is(status, 403);
  t.regex(body, /is not the npm registry/);
  t.deepEqual(await proxied(guard, `http://${elsewhere}/x.tgz`), [403, body]);
  t.deepEqual(await tunnelled(guard, elsewhere), [403, '']);
  t.deepEqual(guard.refused, [`http://${elsewhere}/x.tgz`, `https://${elsewhere}`]);
});

test("with the host's proxy the registry is reached through it, with the proxy's credentials", async (t) => {
  const guard = await startRegistryGuard(registryUrl, new URL(`http://ada:s%3Acret@127.0.0.1:${portOf(upstream)}/`));
  t.teardown(() => guard.close());
  const credentials = `Basic ${Buffer.from('ada:s:cret').toString('base64')}`;
  t.deepEqual(await proxied(guard, `${registryUrl.href}leaf`), [200, 'from the host proxy']);
  t.deepEqual(await tunnelled(guard, `127.0.0.1:${portOf(registry)}`), [200, 'registry /through-the-tunnel']);
  t.deepEqual(seenUpstream, [`GET ${registryUrl.href}leaf ${credentials}`, `CONNECT 127.0.0.1:${portOf(registry)} ${credentials}`]);
  t.deepEqual(await proxied(guard, `http://127.0.0.1:${portOf(other)}/`), [
    403,
    `http://127.0.0.1:${portOf(other)}/ is not the npm registry (${registryUrl.origin}): this install may reach the registry only\n`,
  ]);
  t.is(seenUpstream.length, 2, 'a refused request never reaches the host proxy');
});

const npmjs = new URL('https://registry.npmjs.org/');
const proxies: Array<[string, URL, NpmProxySettings, NodeJS.ProcessEnv, string | undefined]> = [
  ['none set', npmjs, { 'https-proxy': 'null', proxy: 'null' }, {}, undefined],
  ['HTTPS_PROXY', npmjs, {}, { HTTPS_PROXY: 'http://proxy.corp:3128' }, 'http://proxy.corp:3128/'],
  ["npm's https-proxy over the environment", npmjs, { 'https-proxy': 'http://npm.corp:8080' }, { https_proxy: 'http://env.corp:1' }, 'http://npm.corp:8080/'],
  ["npm's proxy", npmjs, { proxy: 'http://npm.corp:8080' }, {}, 'http://npm.corp:8080/'],
  ['HTTP_PROXY alone, for an https registry (npm does not use it)', npmjs, {}, { HTTP_PROXY: 'http://proxy.corp:3128' }, undefined],
  ['HTTP_PROXY for an http registry', new URL('http://mirror.corp/'), {}, { HTTP_PROXY: 'http://proxy.corp:3128' }, 'http://proxy.corp:3128/'],
  ['NO_PROXY naming the registry', npmjs, {}, { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'localhost,npmjs.org' }, undefined],
  ["npm's noproxy naming another host", npmjs, { noproxy: 'corp.example' }, { HTTPS_PROXY: 'http://proxy.corp:3128' }, 'http://proxy.corp:3128/'],
];
for (const [what, registryOf, settings, env, expected] of proxies) {
  test(`the host's proxy towards the registry: ${what}`, (t) => {
    t.is(upstreamProxy(registryOf, settings, env)?.href, expected);
  });
}

test('a host proxy the guard cannot go through is DEPENDENCY_INSTALL_FAILED naming it', (t) => {
  const error = t.throws(() => upstreamProxy(npmjs, {}, { HTTPS_PROXY: 'socks5://127.0.0.1:1080' }), { instanceOf: EdgeError });
  t.is(error?.code, 'DEPENDENCY_INSTALL_FAILED');
  t.regex(error?.message ?? '', /socks5:\/\/127\.0\.0\.1:1080/);
});
