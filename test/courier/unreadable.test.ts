/**
 * A request file the courier cannot open gets one error result after a few tries, backing off and
 * warning once, and runs once its permissions let the courier read it. The courier runs as a separate
 * process; as root it runs without the capabilities that let root read any file, as a user would.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultFile } from '../../courier/result-files.ts';
import { dropRequest, makeRoot, sleep, waitForResult } from '../helpers/courier.ts';
import { waitFor } from '../helpers/wait.ts';

const cli = fileURLToPath(new URL('../../dist/edgecourier.js', import.meta.url));
const asUser = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search'] : [];

/** An unreadable request first gets its REQUEST_UNREADABLE result; the one to wait for is the answer once it can be read. */
function waitForOk(root: string, id: string): Promise<ResultFile> {
  const path = join(root, 'basic', 'results', `${id}.json`);
  return waitFor(`an ok result at ${path}`, () =>
    readFile(path, 'utf8')
      .then(
        (text) => JSON.parse(text) as ResultFile,
        () => undefined,
      )
      .then((result) => (result?.ok ? result : undefined)),
  );
}

test('an unreadable request gets one REQUEST_UNREADABLE result and runs once it can be read; an answered one keeps its result; a socket is passed over', async (t) => {
  const { root, state } = await makeRoot('basic');
  await dropRequest(root, 'basic', 'ready', { function: 'upper', input: { text: 'first' } });
  const socket = createServer();
  await new Promise<void>((resolve) => socket.listen(join(root, 'basic', 'requests', 'socket.json'), resolve));
  const locked = join(root, 'basic', 'requests', 'locked.json');
  await writeFile(locked, JSON.stringify({ function: 'upper', input: { text: 'locked' } }));
  await chmod(locked, 0o000);
  const [command, ...args] = [...asUser, process.execPath, cli, 'courier', '--root', root, '--state', state, '--settle-ms', '100'];
  const courier = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let log = '';
  courier.stdout!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  try {
    t.like(await waitForResult(root, 'basic', 'ready'), { ok: true, output: 'FIRST' });
    const failed = await waitForResult(root, 'basic', 'locked');
    t.like(failed, { ok: false, error: { code: 'REQUEST_UNREADABLE' } });
    t.regex(failed.ok ? '' : failed.error.message, /requests\/locked\.json could not be opened \(EACCES\) on 5 tries.*chmod/);
    t.is(log.match(/could not open a request/g)?.length, 1, 'one warning for the whole streak of tries, not one per try');
    t.is(log.match(/not a regular file/g)?.length, 1, 'the socket is passed over at once, not tried again');
    t.false(
      await stat(join(root, 'basic', 'results', 'socket.json')).then(
        () => true,
        () => false,
      ),
    );

    await chmod(locked, 0o644);
    t.like(await waitForOk(root, 'locked'), { ok: true, output: 'LOCKED' });

    // A request answered before it lost its permissions keeps its result, and is not run again once it can be read.
    const answered = join(root, 'basic', 'results', 'ready.json');
    const before = (await stat(answered)).mtimeMs;
    const ready = join(root, 'basic', 'requests', 'ready.json');
    await chmod(ready, 0o000);
    await sleep(2500);
    await chmod(ready, 0o644);
    await sleep(1000);
    t.is((await stat(answered)).mtimeMs, before, 'the answered request kept its result');
    t.like(await waitForResult(root, 'basic', 'ready'), { ok: true, output: 'FIRST' });
  } finally {
    socket.close();
    courier.kill('SIGTERM');
    await new Promise((resolve) => courier.once('exit', resolve));
  }
});
