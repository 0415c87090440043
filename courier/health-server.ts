/** @module The courier's operator endpoints on a port of their own: GET /metrics (Prometheus text) and GET /healthz, 404 otherwise. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Observability } from '../runtime/observability.ts';

export interface HealthServerOptions {
  port: number;
  host: string;
  logger: Logger;
}

export interface HealthServer {
  /** Where it listens, e.g. http://127.0.0.1:9464 */
  url: string;
  close(): Promise<void>;
}

async function answer(observability: Observability, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = req.url?.split('?')[0];
  if (req.method === 'GET' && path === '/metrics') {
    const { contentType, text } = await observability.scrape();
    res.writeHead(200, { 'content-type': contentType }).end(text);
  } else if (req.method === 'GET' && path === '/healthz') {
    const report = observability.health();
    res.writeHead(report.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(report));
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /metrics or /healthz\n');
  }
}

/**
 * Serves the courier's metrics and health; resolves once it listens.
 * @example const health = await startHealthServer(observability, { port: 9464, host: '127.0.0.1', logger })
 */
export async function startHealthServer(observability: Observability, options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    answer(observability, req, res).catch((error: unknown) => {
      options.logger.error({ err: error, path: req.url }, 'answering an operator request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
