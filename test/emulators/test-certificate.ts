/** @module A self-signed certificate for loopback HTTPS emulators, and a way to make this process's fetch trust it. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

export interface TestCertificate {
  cert: string;
  key: string;
  /** The certificate's file, for NODE_EXTRA_CA_CERTS of a process started later. */
  certPath: string;
}

/** A self-signed certificate for localhost and 127.0.0.1, made by openssl (node:crypto cannot issue certificates). */
export function createTestCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'edgecourier-cert-'));
  const [certPath, keyPath] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  const subject = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', ...subject, '-keyout', keyPath, '-out', certPath],
    { stdio: 'ignore' },
  );
  const key = readFileSync(keyPath, 'utf8');
  rmSync(keyPath);
  return { cert: readFileSync(certPath, 'utf8'), key, certPath };
}

type Dispatcher = object;
const globalDispatcher = Symbol.for('undici.globalDispatcher.1');

/**
 * Makes fetch in this process trust `certificate` besides the usual roots (and those of NODE_EXTRA_CA_CERTS).
 * NODE_EXTRA_CA_CERTS alone would do only when set before the process starts; Node's fetch takes its TLS settings
 * from undici's global dispatcher, which undici keeps under a well-known symbol. Node 20 does not export undici's
 * Agent, so the current dispatcher lends its class.
 */
export async function trustCertificate(certificate: string): Promise<void> {
  await fetch('data:,'); // loads undici, which installs the global dispatcher
  const slot = globalThis as unknown as Record<symbol, Dispatcher>;
  const Agent = slot[globalDispatcher]?.constructor as new (options: { connect: { ca: string[] } }) => Dispatcher;
  const extra = process.env.NODE_EXTRA_CA_CERTS ? [readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8')] : [];
  slot[globalDispatcher] = new Agent({ connect: { ca: [...rootCertificates, ...extra, certificate] } });
}
