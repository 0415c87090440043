/**
 * @module Native addons in the sandbox: a real npm package with a native module (sharp, whose bundled libvips
 * loads libresolv, which node itself does not) runs in a Docker sandbox as it runs in a plain process.
 */
import test from 'ava';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedApp } from '../../runtime/app.ts';
import type { InvokeResponse } from '../../runtime/protocol.ts';
import { startRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';

/** sharp's prebuilt binaries come as optional dependencies, so they install with npm's scripts off, as the installer runs it. */
const packageJson = { name: 'thumbs', private: true, dependencies: { sharp: '0.34.5' } };

const thumbnail = `import sharp from 'sharp';
export default async function thumbnail({ width, height, size }) {
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 51, g: 102, b: 153 } } }).png().toBuffer();
  const { data, info } = await sharp(png).resize(size).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, pixel: [...data.subarray(0, 3)] };
}
`;

const expected = { width: 40, height: 20, channels: 3, pixel: [51, 102, 153] };

let cacheDir: string;
let docker: TestRuntime;
let app: LoadedApp;

test.before(async () => {
  const dir = join(await tempFolder('ec-native'), 'thumbs');
  await mkdir(join(dir, 'functions'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify(packageJson));
  await writeFile(join(dir, 'functions', 'thumbnail.js'), thumbnail);
  // One cache folder for both executors, so npm installs sharp once for the whole file.
  cacheDir = await tempFolder('ec-native-cache');
  docker = await startRuntime({ cacheDir });
  app = await docker.load(dir);
});

test.after.always(async () => {
  await docker?.executor.close();
});

function output(response: InvokeResponse): unknown {
  if (!response.ok) throw new Error(`expected success, got ${response.error.code}: ${response.error.message}`);
  return response.output;
}

test('a function using sharp makes a thumbnail in the Docker sandbox, as it does in a plain process', async (t) => {
  const input = { width: 80, height: 40, size: 40 };
  t.deepEqual(output(await docker.invoker.invoke(app, 'thumbnail', input)), expected);
  const local = await startRuntime({ cacheDir, local: true });
  t.teardown(() => local.executor.close());
  t.deepEqual(output(await local.invoker.invoke(await local.load(app.dir), 'thumbnail', input)), expected);
});

test("the host libraries the dependencies need are listed once, beside node_modules, and the package's own are not among them", async (t) => {
  output(await docker.invoker.invoke(app, 'thumbnail', { width: 8, height: 8, size: 4 }));
  const depsDir = await docker.installer.ensure(app.dependencies!);
  const { libraries } = JSON.parse(await readFile(join(depsDir, 'native-libraries.json'), 'utf8')) as { libraries: Array<{ path: string; neededBy: string }> };
  const resolv = libraries.find((library) => library.path.endsWith('/libresolv.so.2'));
  t.regex(resolv?.neededBy ?? '', /^node_modules\/@img\/sharp-linux-x64\/.*\.node$/);
  t.false(
    libraries.some((library) => library.path.includes('libvips')),
    'libvips ships in the package and reaches the sandbox with node_modules',
  );
});
