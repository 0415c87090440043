/** @module Test helpers for the cloud: the real service on port 0 with a loopback SMTP server catching its mail, and a fetch wrapper. */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Express } from 'express';
import { simpleParser, type ParsedMail } from 'mailparser';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { controlRequest } from '../../cli/control-client.ts';
import { startCloud } from '../../cloud/main.ts';
import { createExecutor, type ExecutorSettings } from '../../docker/executor-factory.ts';
import { tempFolder } from './temp.ts';

export interface TestCloud {
  url: string;
  dataDir: string;
  /** The Express app behind everything but endpoint calls, to list its routes. */
  app: Express;
  /** Resolves with the next mail that arrived for `to` (and takes it out of the inbox). */
  waitForMail(to: string, timeoutMs?: number): Promise<ParsedMail>;
  /** How many mails arrived for `to` and were not taken yet. */
  mailCount(to: string): number;
  close(): Promise<void>;
}

export interface TestCloudOptions {
  /** Defaults to plenty, so tests logging in many times from 127.0.0.1 are not limited. */
  attemptsPerMinute?: number;
  /** false: no SMTP server, so mails go to `<dataDir>/outbox`. */
  smtp?: boolean;
  fleetLeaseMs?: number;
  /** Start on this data folder, e.g. a closed cloud's, to test a restart; a fresh one by default. */
  dataDir?: string;
  /** Which proxies to believe X-Forwarded-* headers from, as `--trust-proxy` takes it. */
  trustProxy?: number | string;
  /** Where the web console's files are; the build's by default. */
  consoleDir?: string;
  /** How the executor's pool is sized, e.g. small to test refusals. */
  pool?: Pick<ExecutorSettings, 'maxContainers' | 'concurrency' | 'maxQueue' | 'maxQueuePerOwner' | 'maxWaitMs'>;
  /** The largest the database's JSON may grow, e.g. small to fill it. */
  maxDatabaseBytes?: number;
  /** Every line the cloud logs, at every level, goes here; none are kept otherwise. */
  log?: (line: string) => void;
}

interface Received {
  to: string[];
  mail: ParsedMail;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startInbox(): Promise<{ url: string; inbox: Received[]; close(): Promise<void> }> {
  const inbox: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    closeTimeout: 100,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          inbox.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()), mail });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, inbox, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * The cloud with its own data folder, a process executor (no Docker) and, unless `smtp: false`, an SMTP server.
 * @example const cloud = await startTestCloud(); const mail = await cloud.waitForMail('ada@example.com')
 */
export async function startTestCloud(options: TestCloudOptions = {}): Promise<TestCloud> {
  const base = await tempFolder('ec-cloud');
  const dataDir = options.dataDir ?? join(base, 'data');
  const executor = await createExecutor({ local: true, cacheDir: join(base, 'cache'), runDir: join(base, 'run'), ...options.pool });
  const smtp = options.smtp === false ? undefined : await startInbox();
  const inbox = smtp?.inbox ?? [];
  const cloud = await startCloud({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    smtpUrl: smtp?.url,
    attemptsPerMinute: options.attemptsPerMinute ?? 10_000,
    fleetLeaseMs: options.fleetLeaseMs,
    trustProxy: options.trustProxy,
    consoleDir: options.consoleDir,
    maxDatabaseBytes: options.maxDatabaseBytes,
    executor,
    logger: options.log ? pino({ level: 'trace' }, { write: options.log }) : pino({ level: 'silent' }),
  });
  const addressedTo = (to: string) => (received: Received) => received.to.includes(to.toLowerCase());
  return {
    url: cloud.url,
    dataDir,
    app: cloud.app,
    async waitForMail(to, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = inbox.findIndex(addressedTo(to));
        if (index >= 0) return inbox.splice(index, 1)[0]!.mail;
        if (Date.now() > deadline) throw new Error(`no mail for ${to} after ${timeoutMs} ms`);
        await sleep(20);
      }
    },
    mailCount: (to) => inbox.filter(addressedTo(to)).length,
    async close() {
      await cloud.close();
      await executor.executor.close();
      await smtp?.close();
    },
  };
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: any;
  text: string;
}

/**
 * One HTTP request to the cloud: `body` is sent as JSON, or as is when it is a string.
 * @example const { status, body } = await api(cloud.url, 'GET', '/api/v1/me', undefined, token)
 */
export async function api(url: string, method: string, path: string, body?: unknown, token?: string): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url + path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('application/json');
  return { status: response.status, headers: response.headers, body: json ? JSON.parse(text) : text, text };
}

let counter = 0;

/** A fresh address, so tests sharing one cloud never meet. */
export const freshEmail = (label = 'user') => `${label}-${process.pid}-${++counter}@example.com`;

/**
 * Makes the signed-up account of `email` an operator of the cloud running on `dataDir`, as `edgecourier cloud
 * operators add` does: through the cloud's control socket.
 */
export async function grantOperator(dataDir: string, email: string): Promise<void> {
  await controlRequest(dataDir, 'PUT', `/operators/${encodeURIComponent(email)}`);
}
