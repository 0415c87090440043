/** The secret box: sealed values open only with their key and context, and the key file is private. */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openSecretBox, secretBox } from '../../cloud/secret-box.ts';
import { tempFolder } from '../helpers/temp.ts';

test('a sealed value opens with its key and context, and with nothing else', (t) => {
  const box = secretBox(randomBytes(32));
  const sealed = box.seal('{"DROPBOX_REFRESH_TOKEN":"plain"}', 'root_1');
  t.false(sealed.includes('plain'));
  t.is(box.open(sealed, 'root_1'), '{"DROPBOX_REFRESH_TOKEN":"plain"}');
  t.throws(() => box.open(sealed, 'root_2'));
  t.throws(() => secretBox(randomBytes(32)).open(sealed, 'root_1'));
  t.not(box.seal('same', 'root_1'), box.seal('same', 'root_1'));
});

test('the key file is made private on first start and read again after', async (t) => {
  const file = join(await tempFolder('ec-key'), 'secret.key');
  const first = await openSecretBox(undefined, file);
  t.is((await stat(file)).mode & 0o777, 0o600);
  t.is((await openSecretBox(undefined, file)).open(first.seal('x', 'c'), 'c'), 'x');
});

test('a key file others may read is refused, and so is a key of the wrong size', async (t) => {
  const file = join(await tempFolder('ec-key'), 'secret.key');
  await openSecretBox(undefined, file);
  await chmod(file, 0o644);
  await t.throwsAsync(openSecretBox(undefined, file), { message: /chmod 600/ });
  await t.throwsAsync(openSecretBox(randomBytes(16).toString('base64'), file), { message: /32 bytes/ });
  const fromEnv = await openSecretBox(randomBytes(32).toString('base64'), file);
  t.is(fromEnv.open(fromEnv.seal('y', 'c'), 'c'), 'y');
});
