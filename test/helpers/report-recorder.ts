/**
 * @module A loopback HTTP server standing in front of a cloud for tests of what edgecourier reports: it writes down
 * the requests it is asked to record and answers them itself (or refuses them, while `refusing`), and passes every
 * other request to the real cloud behind it, or answers it from a table when there is none.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  body: unknown;
  /** Answered 503: sent while the recorder was refusing. */
  refused: boolean;
}

export interface RecorderOptions {
  /** Which requests to write down and answer 200 `{}` (or refuse). */
  record: (method: string, path: string) => boolean;
  /** Where every other request goes: a cloud's URL. */
  forwardTo?: string;
  /** Without `forwardTo`: the answer to other requests, by "METHOD path" (404 for the rest). */
  answers?: Record<string, unknown>;
}

export interface Recorder {
  url: string;
  received: RecordedRequest[];
  /** While true, recorded requests are answered 503, as a cloud that is down for a moment. */
  refusing: boolean;
  /** How many recorded requests were refused. */
  refused: number;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** @example const recorder = await startRecorder({ record: (m, p) => p === '/api/v1/fleet/profiles', forwardTo: cloud.url }) */
export async function startRecorder(options: RecorderOptions): Promise<Recorder> {
  const recorder: Recorder = { url: '', received: [], refusing: false, refused: 0, close: async () => {} };
  const server = createServer((req, res) => {
    void (async () => {
      const text = await bodyOf(req);
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (options.record(method, path)) {
        recorder.received.push({
          method,
          path,
          authorization: req.headers.authorization,
          body: text ? JSON.parse(text) : undefined,
          refused: recorder.refusing,
        });
        if (!recorder.refusing) return send(200, {});
        recorder.refused++;
        return send(503, { error: { code: 'INTERNAL_ERROR', message: 'down for a moment' } });
      }
      if (!options.forwardTo) {
        const answer = options.answers?.[`${method} ${path}`];
        return answer === undefined ? send(404, { error: { code: 'NOT_FOUND', message: `no ${method} ${path}` } }) : send(200, answer);
      }
      const headers: Record<string, string> = { ...(req.headers.authorization && { authorization: req.headers.authorization }) };
      if (text) headers['content-type'] = 'application/json';
      const answer = await fetch(options.forwardTo + path, { method, headers, ...(text ? { body: text } : {}) });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(await answer.text());
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  recorder.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  recorder.close = () => new Promise((resolve) => server.close(() => resolve()));
  return recorder;
}
