/** @module Sends the cloud's mails: over SMTP when a server is configured, else as .eml files in an outbox folder. */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { writeFileAtomic } from '../base/atomic-file.ts';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** What routes need to send mail; `close` lets the service shut down cleanly. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): Promise<void>;
}

export interface MailerOptions {
  /** `smtp://[user:pass@]host[:port]` or `smtps://…`; query parameters become nodemailer options (`?ignoreTLS=true`). */
  smtpUrl?: string;
  outboxDir: string;
  from: string;
  logger: Logger;
}

/**
 * Picks SMTP when `smtpUrl` is set, the outbox otherwise.
 * @example const mailer = createMailer({ outboxDir: './data/outbox', from: 'edgecourier <no-reply@localhost>', logger })
 */
export function createMailer(options: MailerOptions): Mailer {
  const logger = options.logger.child({ component: 'mailer' });
  return options.smtpUrl ? smtpMailer(options.smtpUrl, options.from, logger) : outboxMailer(options.outboxDir, options.from, logger);
}

/**
 * The transport, made at the first mail: nodemailer holds about 10 MB that a service sending no mail (most of
 * the time, and always for the quick start's outbox until someone asks for a reset) does without.
 */
function lazyTransport(make: (mailer: typeof nodemailer) => Transporter): () => Promise<Transporter> {
  let transport: Promise<Transporter> | undefined;
  return () => (transport ??= import('nodemailer').then((module) => make(module.default)));
}

/** Mails hold secrets (reset links), so logs name only a masked recipient, never a subject or body. */
function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

function smtpMailer(smtpUrl: string, from: string, logger: Logger): Mailer {
  // smtp:// upgrades with STARTTLS only when the server offers it; smtps:// is TLS from the first byte.
  const transport = lazyTransport((mailer) => mailer.createTransport(smtpUrl, { from }));
  // The URL may carry a password: log the host alone.
  const server = new URL(smtpUrl).host;
  let used = false;
  return {
    async send(mail) {
      used = true;
      await (await transport()).sendMail(mail);
      logger.info({ to: maskAddress(mail.to), server }, 'mail sent');
    },
    async close() {
      if (used) (await transport()).close();
    },
  };
}

function outboxMailer(outboxDir: string, from: string, logger: Logger): Mailer {
  const transport = lazyTransport((mailer) => mailer.createTransport({ streamTransport: true, buffer: true }, { from }));
  return {
    async send(mail) {
      const info = await (await transport()).sendMail(mail);
      await mkdir(outboxDir, { recursive: true });
      // Colons are not allowed in file names on Windows, where an outbox may be synced to.
      const name = `${new Date().toISOString().replaceAll(':', '-')}-${randomBytes(4).toString('hex')}.eml`;
      // Whoever watches the outbox never reads half a mail. `buffer: true` above makes the message a Buffer.
      await writeFileAtomic(join(outboxDir, name), info.message as Buffer, { mode: 0o600 });
      logger.info({ to: maskAddress(mail.to), file: name }, 'mail written to the outbox');
    },
    async close() {},
  };
}
