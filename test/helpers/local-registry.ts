/** @module A loopback npm registry for tests: packuments and tarballs made in memory from a few packages, and every request it answered. */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface LocalPackage {
  version?: string;
  dependencies?: Record<string, string>;
  /** Files besides package.json, by path inside the package. */
  files?: Record<string, string>;
}

export interface LocalRegistry {
  /** With a trailing slash, as npm's `registry` setting. */
  url: string;
  /** `METHOD /path` of every request, in order. */
  requests: string[];
  /** Holds the tarballs asked for from now on, as a slow download would, until `letGo`; `reached` once one is asked for. */
  holdTarballs(): { reached: Promise<void>; letGo(): void };
  close(): Promise<void>;
}

/** One 512-byte ustar header; numbers are octal, the checksum is summed with its own field as spaces. */
function tarHeader(path: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number) => header.write(text, offset, 'ascii');
  put(path, 0);
  put('0000644\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  put(`${size.toString(8).padStart(11, '0')}\0`, 124);
  put('00000000000\0', 136);
  put('        ', 148);
  put('0', 156);
  put('ustar\0' + '00', 257);
  const sum = header.reduce((total, byte) => total + byte, 0);
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

/** A gzipped tarball with every file under `package/`, as npm packs them. */
function tarball(files: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [path, text] of Object.entries(files)) {
    const body = Buffer.from(text);
    parts.push(tarHeader(`package/${path}`, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  return gzipSync(Buffer.concat([...parts, Buffer.alloc(1024)]));
}

/**
 * Serves `packages` on 127.0.0.1 at GET /<name> (the packument) and GET /<name>/-/<name>-<version>.tgz.
 * @example const registry = await startLocalRegistry({ leaf: { files: { 'index.js': 'module.exports = 1' } } })
 */
export async function startLocalRegistry(packages: Record<string, LocalPackage>): Promise<LocalRegistry> {
  const requests: string[] = [];
  let held: { reach(): void; until: Promise<void> } | undefined;
  const tarballs = new Map(
    Object.entries(packages).map(([name, pkg]) => {
      const version = pkg.version ?? '1.0.0';
      const packageJson = JSON.stringify({ name, version, main: 'index.js', dependencies: pkg.dependencies ?? {} });
      return [name, { version, bytes: tarball({ 'package.json': packageJson, ...pkg.files }) }];
    }),
  );
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const [, name, file] = (req.url ?? '').match(/^\/([^/]+)(?:\/-\/(.+))?$/) ?? [];
    const entry = name === undefined ? undefined : tarballs.get(decodeURIComponent(name));
    if (!entry) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    if (file !== undefined) {
      const send = () => void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(entry.bytes);
      if (!held) return send();
      held.reach();
      return void held.until.then(send);
    }
    const { port } = server.address() as AddressInfo;
    const manifest = {
      name,
      version: entry.version,
      dependencies: packages[name]?.dependencies ?? {},
      dist: {
        tarball: `http://127.0.0.1:${port}/${name}/-/${name}-${entry.version}.tgz`,
        integrity: `sha512-${createHash('sha512').update(entry.bytes).digest('base64')}`,
      },
    };
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ name, 'dist-tags': { latest: entry.version }, versions: { [entry.version]: manifest } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    holdTarballs() {
      let reach!: () => void;
      let letGo!: () => void;
      const reached = new Promise<void>((resolve) => (reach = resolve));
      const until = new Promise<void>((resolve) => (letGo = resolve));
      held = { reach, until };
      return {
        reached,
        letGo: () => {
          held = undefined;
          letGo();
        },
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
