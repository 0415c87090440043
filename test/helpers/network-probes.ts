/**
 * @module Loopback servers a test points dependencies at, to show an install reached nothing: every HTTP request
 * and git connection they receive is written down in `hits`.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';

export interface NetworkProbes {
  /** `http <path>` for each HTTP request, `git connection` for each connection to the git port, in order. */
  hits: string[];
  /** An http:// URL of the HTTP probe. */
  httpUrl(path: string): string;
  /** A git:// URL of the git probe, which drops every connection. */
  gitUrl(path: string): string;
  close(): void;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;
const listening = (server: Server) => new Promise<Server>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));

/** @example const probes = await startNetworkProbes(); ... t.deepEqual(probes.hits, []) */
export async function startNetworkProbes(): Promise<NetworkProbes> {
  const hits: string[] = [];
  const [http, git] = await Promise.all([
    listening(
      createHttpServer((req, res) => {
        hits.push(`http ${req.url}`);
        res.writeHead(404).end();
      }) as unknown as Server,
    ),
    listening(
      createTcpServer((socket) => {
        hits.push('git connection');
        socket.destroy();
      }),
    ),
  ]);
  return {
    hits,
    httpUrl: (path) => `http://127.0.0.1:${portOf(http)}${path}`,
    gitUrl: (path) => `git://127.0.0.1:${portOf(git)}${path}`,
    close() {
      http.close();
      git.close();
    },
  };
}
