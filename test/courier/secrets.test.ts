/** The courier on real Docker: a folder app's secrets come from a file outside the synced root, and never land in the root or the log. */
import test from 'ava';
import { createHash, randomUUID } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCourier, type RunningCourier } from '../../courier/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { dropRequest, makeRoot, sleep, waitForResult, type TempRoot } from '../helpers/courier.ts';

let temp: TempRoot;
let running: RunningCourier;
let executor: ExecutorBundle;
let secretsDir: string;
const logs: string[] = [];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A file outside the root has no watch: the courier looks at it again when it last looked at the app more than
 * 250 ms before (docs/courier.md). Waiting that long after a change is a lower bound, not a guess at a machine's speed.
 */
const pastRecheck = () => sleep(300);

async function writeSecrets(app: string, text: string, mode = 0o600): Promise<string> {
  const path = join(secretsDir, `${app}.json`);
  await writeFile(path, text, { mode });
  await chmod(path, mode);
  await pastRecheck();
  return path;
}

/** Every file under the root, as text. */
async function rootFiles(): Promise<string> {
  const texts: string[] = [];
  for (const entry of await readdir(temp.root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) texts.push(await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return texts.join('\n');
}

test.before(async () => {
  temp = await makeRoot('configured', 'basic');
  secretsDir = join(temp.state, 'secrets');
  await mkdir(secretsDir, { recursive: true });
  executor = await createExecutor({ cacheDir: join(temp.state, '..', 'cache'), prestart: 1 });
  running = await startCourier({
    root: temp.root,
    stateDir: temp.state,
    settleMs: 300,
    executor,
    logger: pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) }),
  });
});

test.after.always(async () => {
  await running?.stop();
  await executor?.executor.close();
});

test.serial('a folder app reads its secret from <state>/secrets/<app>.json; neither the root nor the log ever holds it', async (t) => {
  const secret = `sk-${randomUUID()}`;
  await writeSecrets('configured', JSON.stringify({ API_KEY: secret }));
  await dropRequest(temp.root, 'configured', 'key', { function: 'digest', input: { name: 'API_KEY' } });
  t.like(await waitForResult(temp.root, 'configured', 'key'), { ok: true, output: sha256(secret) });
  await dropRequest(temp.root, 'configured', 'setting', { function: 'digest', input: { name: 'GREETING' } });
  t.like(await waitForResult(temp.root, 'configured', 'setting'), { ok: true, output: sha256('hello from app.json') });
  // Another app of the root does not see it.
  await dropRequest(temp.root, 'basic', 'env', { function: 'env', input: null });
  t.like(await waitForResult(temp.root, 'basic', 'env'), { ok: true, output: { env: {} } });
  t.false((await rootFiles()).includes(secret), 'a file in the root holds the secret');
  t.false(logs.join('\n').includes(secret), 'the log holds the secret');
});

test.serial('a changed secrets file reaches the next request', async (t) => {
  await writeSecrets('configured', JSON.stringify({ API_KEY: 'before' }));
  await dropRequest(temp.root, 'configured', 'before', { function: 'digest', input: { name: 'API_KEY' } });
  t.like(await waitForResult(temp.root, 'configured', 'before'), { ok: true, output: sha256('before') });
  await writeSecrets('configured', JSON.stringify({ API_KEY: 'after, and longer' }));
  await dropRequest(temp.root, 'configured', 'after', { function: 'digest', input: { name: 'API_KEY' } });
  t.like(await waitForResult(temp.root, 'configured', 'after'), { ok: true, output: sha256('after, and longer') });
});

test.serial('a secrets file others may read is refused with a result that says what to do, and chmod 600 fixes it', async (t) => {
  const path = await writeSecrets('configured', JSON.stringify({ API_KEY: 'open to all' }), 0o644);
  await dropRequest(temp.root, 'configured', 'open', { function: 'digest', input: { name: 'API_KEY' } });
  const refused = await waitForResult(temp.root, 'configured', 'open');
  t.like(refused, { ok: false, error: { code: 'INVALID_APP' } });
  if (!refused.ok) t.is(refused.error.message, `the secrets file ${path} may be read by other users, so it is not used; run: chmod 600 ${path}`);
  await chmod(path, 0o600);
  await pastRecheck();
  await dropRequest(temp.root, 'configured', 'closed', { function: 'digest', input: { name: 'API_KEY' } });
  t.like(await waitForResult(temp.root, 'configured', 'closed'), { ok: true, output: sha256('open to all') });
});

/** Each file holds a value MARKER, which no message may quote. */
for (const [what, text, message] of [
  ['not JSON', '{ "API_KEY": "MARKER', /is not usable: it is not valid JSON; it holds \{ "NAME": "value", \.\.\. \}$/],
  ['a number for a value', '{ "PORT": 8080, "KEY": "MARKER" }', /: PORT: .*string/],
  ['a bad name', '{ "api-key": "MARKER" }', /: api-key: a variable name starts with a letter or _/],
] as const) {
  test.serial(`a secrets file with ${what} gets a result that says so, quoting no value`, async (t) => {
    await writeSecrets('configured', text);
    const id = `bad-${randomUUID().slice(0, 8)}`;
    await dropRequest(temp.root, 'configured', id, { function: 'digest', input: { name: 'API_KEY' } });
    const result = await waitForResult(temp.root, 'configured', id);
    t.like(result, { ok: false, error: { code: 'INVALID_APP' } });
    if (result.ok) return;
    t.regex(result.error.message, message);
    t.false(/MARKER|8080/.test(result.error.message), result.error.message);
  });
}

test('a secrets folder inside the synced root is refused when the courier starts', async (t) => {
  const other = await makeRoot('basic');
  const error = await t.throwsAsync(
    startCourier({ root: other.root, stateDir: other.state, secretsDir: join(other.root, 'basic', 'secrets'), executor, logger: pino({ level: 'silent' }) }),
  );
  t.regex(error?.message ?? '', /the secrets folder .* is inside the synced root .*; it must live outside/);
});
