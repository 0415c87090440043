/** @module Seals secrets at rest with AES-256-GCM under the cloud's key: EDGECOURIER_SECRET_KEY, or <data>/secret.key made on first start. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { EdgeError } from '../base/errors.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const FORMAT = 'v1';

/** Seals and opens short secrets; `context` (e.g. the root id) is bound to the ciphertext, so a sealed value copied to another record does not open. */
export interface SecretBox {
  seal(plain: string, context: string): string;
  open(sealed: string, context: string): string;
}

/**
 * A box over a 32-byte key; sealed values look like `v1.<iv>.<tag>.<ciphertext>` (base64url).
 * @example const box = secretBox(randomBytes(32)); box.open(box.seal('x', 'root_1'), 'root_1') === 'x'
 */
export function secretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new EdgeError('INVALID_INPUT', `the secret key must be ${KEY_BYTES} bytes (base64), not ${key.length}`);
  return {
    seal(plain, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context));
      const text = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [FORMAT, iv, cipher.getAuthTag(), text].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
    },
    open(sealed, context) {
      const [format, iv, tag, text] = sealed.split('.');
      if (format !== FORMAT || !iv || !tag || text === undefined) throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(text, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

const decodeKey = (base64: string): Buffer => Buffer.from(base64.trim(), 'base64');

/** Reads the key file, or makes it (mode 600) when there is none; one others may read is refused, as it unlocks every stored token. */
async function keyFromFile(path: string): Promise<Buffer> {
  try {
    await writeFile(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (((await stat(path)).mode & 0o077) !== 0)
    throw new EdgeError('INVALID_INPUT', `the secret key file ${path} may be read by other users; run: chmod 600 ${path}`);
  return decodeKey(await readFile(path, 'utf8'));
}

/**
 * The cloud's box: the key given (base64, from EDGECOURIER_SECRET_KEY) or else the one in `keyFile`.
 * @example const box = await openSecretBox(process.env.EDGECOURIER_SECRET_KEY, join(dataDir, 'secret.key'))
 */
export async function openSecretBox(base64Key: string | undefined, keyFile: string): Promise<SecretBox> {
  return secretBox(base64Key ? decodeKey(base64Key) : await keyFromFile(keyFile));
}
