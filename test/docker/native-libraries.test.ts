/**
 * @module Which host libraries installed dependencies need: found with ldd from their native modules, with a clear
 * error for a library this machine lacks. The modules are copies of a small library node itself loads, with the
 * name of a library they need rewritten in place, so no compiler is needed.
 */
import test from 'ava';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { EdgeError } from '../../base/errors.ts';
import { sharedLibraries } from '../../docker/base-image.ts';
import { nativeLibraries } from '../../docker/native-libraries.ts';
import { tempFolder } from '../helpers/temp.ts';

const LIBC = Buffer.from('libc.so.6\0');

/** A library of node's other than libc that names libc.so.6 as a library it needs, and the libraries ldd lists for it. */
async function smallLibrary(): Promise<{ bytes: Buffer; needs: string[] }> {
  for (const path of await sharedLibraries(process.execPath)) {
    const bytes = await readFile(path);
    if (!basename(path).startsWith('libc.') && bytes.includes(LIBC)) return { bytes, needs: await sharedLibraries(path) };
  }
  throw new Error('none of the libraries node loads needs libc.so.6');
}

/** The library with every "libc.so.6" it names turned into `name` (of the same length). */
function needing(bytes: Buffer, name: string): Buffer {
  const copy = Buffer.from(bytes);
  for (let at = copy.indexOf(LIBC); at !== -1; at = copy.indexOf(LIBC, at + 1)) copy.write(name, at);
  return copy;
}

/** A dependency folder holding `files` (paths under node_modules). */
async function depsWith(files: Record<string, Buffer | string>): Promise<string> {
  const dir = await tempFolder('ec-native-deps');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, 'node_modules', path, '..'), { recursive: true });
    await writeFile(join(dir, 'node_modules', path), content);
  }
  return dir;
}

test('a native module needing a library this machine lacks is DEPENDENCY_INSTALL_FAILED naming the library and the module', async (t) => {
  const { bytes } = await smallLibrary();
  const dir = await depsWith({ 'fancy/build/Release/fancy.node': needing(bytes, 'libq.so.6') });
  const error = await t.throwsAsync(nativeLibraries(dir), { instanceOf: EdgeError });
  t.is(error?.code, 'DEPENDENCY_INSTALL_FAILED');
  t.regex(error?.message ?? '', /node_modules\/fancy\/build\/Release\/fancy\.node needs libq\.so\.6, which this machine does not have/);
});

test('modules no loader here would load are passed over: built for musl, for another system, or not a binary at all', async (t) => {
  const { bytes, needs } = await smallLibrary();
  const dir = await depsWith({
    'fast/prebuilds/linux-x64/fast.glibc.node': bytes,
    'fast/prebuilds/linux-x64/fast.musl.node': needing(bytes, 'ld-musl-x'),
    'fast/prebuilds/win32-x64/fast.node': 'MZ, a Windows DLL',
  });
  const libraries = await nativeLibraries(dir);
  t.deepEqual(
    libraries.map((library) => library.path),
    [...needs].sort(),
  );
  t.true(libraries.every((library) => library.neededBy === 'node_modules/fast/prebuilds/linux-x64/fast.glibc.node'));
});

test('the list is kept beside node_modules and read from there next time, not found again', async (t) => {
  const { bytes } = await smallLibrary();
  const dir = await depsWith({ 'fast/fast.node': bytes });
  const first = await nativeLibraries(dir);
  const kept = JSON.parse(await readFile(join(dir, 'native-libraries.json'), 'utf8')) as { libraries: unknown };
  t.deepEqual(kept.libraries, first);
  const planted = [{ path: '/lib/planted.so.1', neededBy: 'node_modules/fast/fast.node' }];
  await writeFile(join(dir, 'native-libraries.json'), JSON.stringify({ version: 1, libraries: planted }));
  t.deepEqual(await nativeLibraries(dir), planted);
});
