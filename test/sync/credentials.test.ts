/** Back-end credentials from a file: the same names as the environment, refused when others can read the file. */
import test from 'ava';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../../base/errors.ts';
import { createBackend, readCredentialsFile } from '../../sync/create-backend.ts';
import { tempFolder } from '../helpers/temp.ts';

async function credentialsFile(content: string, mode: number): Promise<string> {
  const path = join(await tempFolder('ec-creds'), 'credentials.json');
  await writeFile(path, content);
  await chmod(path, mode);
  return path;
}

test('a private credentials file gives a back end its token', async (t) => {
  const path = await credentialsFile('{"DROPBOX_ACCESS_TOKEN":"sl.from-file"}', 0o600);
  const credentials = await readCredentialsFile(path);
  t.deepEqual(credentials, { DROPBOX_ACCESS_TOKEN: 'sl.from-file' });
  t.is((await createBackend('dropbox', '/edge', () => {}, credentials)).kind, 'dropbox');
});

const refused: Array<[string, string, number, RegExp]> = [
  ['a file others can read', '{"DROPBOX_ACCESS_TOKEN":"x"}', 0o644, /other users may read it; run: chmod 600/],
  ['a file that is not JSON', '{ DROPBOX', 0o600, /is not valid JSON/],
  ['a name that is not a back-end variable', '{"PATH":"/tmp"}', 0o600, /DROPBOX_\* or ONEDRIVE_\*/],
];
for (const [what, content, mode, message] of refused) {
  test(`${what} is refused with a message that says what to do`, async (t) => {
    const error = await t.throwsAsync(readCredentialsFile(await credentialsFile(content, mode)), { instanceOf: EdgeError });
    t.regex(error?.message ?? '', message);
  });
}

test('without credentials anywhere the back ends name the variables to set', async (t) => {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (/^(DROPBOX|ONEDRIVE)_/.test(name)) delete process.env[name];
  try {
    await t.throwsAsync(
      createBackend('dropbox', '/edge', () => {}),
      { message: /DROPBOX_ACCESS_TOKEN/ },
    );
    await t.throwsAsync(
      createBackend('onedrive', '/edge', () => {}),
      { message: /ONEDRIVE_/ },
    );
  } finally {
    Object.assign(process.env, saved);
  }
});
