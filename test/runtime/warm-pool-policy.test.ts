/**
 * The warm pool's policies over fake sandboxes, in milliseconds: which sandbox runs a call, when one is
 * started, who waits and who is refused BUSY, when a sandbox is ended. Docker-speed tests of the same pool
 * are warm-pool.test.ts and admission.test.ts.
 */
import test, { type ExecutionContext } from 'ava';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FunctionSpec, LoadedApp } from '../../runtime/app.ts';
import { EdgeError } from '../../base/errors.ts';
import type { CallHandler, ExecutionOutcome } from '../../runtime/executor.ts';
import { WarmPool, type PoolClock, type WarmPoolOptions } from '../../runtime/warm-pool.ts';
import { FakeSandboxLauncher } from '../helpers/fake-sandbox-launcher.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until } from '../helpers/wait.ts';

/** Time that moves only when the test says; each move runs the pool's periodic work once. */
class ManualClock implements PoolClock {
  #now = 0;
  #ticks = new Set<() => void>();

  now(): number {
    return this.#now;
  }

  every(_ms: number, tick: () => void): () => void {
    this.#ticks.add(tick);
    return () => this.#ticks.delete(tick);
  }

  advance(ms: number): void {
    this.#now += ms;
    for (const tick of this.#ticks) tick();
  }
}

const spec = (name: string): FunctionSpec => ({
  name,
  file: `functions/${name}.js`,
  source: 'export default () => null;\n',
  version: `${name}-v1`,
  idempotent: false,
  public: false,
  limits: { timeoutMs: 1000, memoryMb: 128 },
});

/** An app the fake sandboxes never run; `version` stands for an edit of the same app folder. */
function testApp(name: string, version = 1): LoadedApp {
  return {
    name,
    dir: `/apps/${name}`,
    id: `${name}@${version}`,
    functions: new Map(['work', 'helper'].map((fn) => [fn, spec(fn)])),
    files: [],
    config: {},
    env: {},
    warnings: [],
  };
}

function setup(t: ExecutionContext, options: Partial<WarmPoolOptions> = {}) {
  const launcher = new FakeSandboxLauncher();
  const clock = new ManualClock();
  const pool = new WarmPool({
    launcher,
    installer: { ensure: () => Promise.reject(new Error('these apps have no dependencies')) },
    prestart: 0,
    maxSandboxes: 2,
    concurrency: 1,
    maxQueue: 10,
    idleTtlMs: 60_000,
    clock,
    ...options,
  });
  t.teardown(() => pool.close());
  /** A top-level call of `app`'s `work`; its ctx.calls run nested in the pool, as the Invoker runs them. */
  const call = (app: LoadedApp, input: unknown, owner?: string): Promise<ExecutionOutcome> => {
    const onCall: CallHandler = async (fn, nestedInput, caller) => (await pool.execute({ app, fn: spec(fn), input: nestedInput, caller }, onCall)).result;
    return pool.execute({ app, fn: spec('work'), input, ...(owner && { owner }) }, onCall);
  };
  return { launcher, clock, pool, call };
}

const busy = { instanceOf: EdgeError, code: 'BUSY' } as const;

test("a new app's first call runs in the pre-started sandbox, and another is started for the next new app", async (t) => {
  const { launcher, pool, call } = setup(t, { prestart: 1, maxSandboxes: 3 });
  await pool.start();
  t.is(launcher.cleanups, 1, 'leftovers of an earlier run are removed first');
  t.deepEqual(
    launcher.sandboxes.map((s) => s.id),
    ['fake-1'],
  );
  const first = call(testApp('shop'), 'order');
  const [arrived] = await launcher.arrivals(1);
  t.is(arrived!.sandbox.id, 'fake-1');
  arrived!.answer('ordered', { logs: [{ level: 'log', message: 'ordering' }] });
  t.like(await first, { result: { ok: true, output: 'ordered' }, logs: [{ level: 'log', message: 'ordering' }], coldStart: false });
  await until('a second sandbox started ahead of need', () => launcher.sandboxes.length === 2);
  const other = call(testApp('blog'), 'post');
  const [, next] = await launcher.arrivals(2);
  t.is(next!.sandbox.id, 'fake-2', "the second app's first call also found a sandbox started ahead of it");
  next!.answer('posted');
  t.like(await other, { result: { ok: true, output: 'posted' }, coldStart: false });
});

test("an app's calls run warm in its sandbox, a call beyond its room starts another, and one beyond every place waits for a free one", async (t) => {
  const { launcher, pool, call } = setup(t, { maxSandboxes: 2, concurrency: 1 });
  const app = testApp('shop');
  const a = call(app, 'a');
  (await launcher.arrivals(1))[0]!.answer('A');
  t.like(await a, { result: { ok: true, output: 'A' }, coldStart: true });
  const b = call(app, 'b');
  const c = call(app, 'c');
  const d = call(app, 'd');
  const [, inB, inC] = await launcher.arrivals(3);
  t.deepEqual([inB!.input, inB!.sandbox.id], ['b', 'fake-1'], 'warm: the sandbox that ran a');
  t.deepEqual([inC!.input, inC!.sandbox.id], ['c', 'fake-2'], 'the first sandbox was busy, so a second one started');
  t.is(pool.size.queued, 1, 'd waits: two sandboxes is the limit');
  inB!.answer('B');
  const [, , , inD] = await launcher.arrivals(4);
  t.deepEqual([inD!.input, inD!.sandbox.id], ['d', 'fake-1'], 'd ran in the sandbox b freed');
  inC!.answer('C');
  inD!.answer('D');
  t.deepEqual(
    (await Promise.all([b, c, d])).map((o) => [o.result, o.coldStart]),
    [
      [{ ok: true, output: 'B' }, false],
      [{ ok: true, output: 'C' }, true],
      [{ ok: true, output: 'D' }, false],
    ],
  );
  t.is(launcher.launches, 2);
});

test('sandboxes are started up to the limit; a call of another app then waits for one to fall idle, and takes its place', async (t) => {
  const { launcher, pool, call } = setup(t, { maxSandboxes: 2, concurrency: 2 });
  const [a, b, c] = [call(testApp('shop'), 'a'), call(testApp('shop'), 'b'), call(testApp('blog'), 'c')];
  const [inA, inB, inC] = await launcher.arrivalsOf('a', 'b', 'c');
  t.deepEqual(
    [inA, inB, inC].map((arrived) => arrived!.sandbox.id),
    ['fake-1', 'fake-1', 'fake-2'],
  );
  const d = call(testApp('news'), 'd');
  t.is(pool.size.queued, 1, 'd waits, though the sandboxes have room for one more call: a third sandbox is past the limit');
  inC!.answer('C');
  await c;
  const inD = (await launcher.arrivals(4))[3]!;
  t.deepEqual([inD.input, inD.sandbox.id, inC!.sandbox.killed], ['d', 'fake-3', true], "blog's idle sandbox made room for news");
  inA!.answer('A');
  inB!.answer('B');
  inD.answer('D');
  t.deepEqual(
    (await Promise.all([a, b, d])).map((o) => o.result),
    ['A', 'B', 'D'].map((output) => ({ ok: true, output })),
  );
  t.is(launcher.launches, 3);
});

test('when every place is taken and the line is full, a call is refused BUSY at once; the waiting one runs later', async (t) => {
  const { launcher, pool, call } = setup(t, { maxSandboxes: 1, concurrency: 1, maxQueue: 1 });
  const app = testApp('shop');
  const running = call(app, 'first');
  const waiting = call(app, 'second');
  const refused = await t.throwsAsync(call(app, 'third'), busy);
  t.regex(refused!.message, /busy.*1 calls are waiting/);
  t.true(pool.refuses('default'), 'a front end can refuse before doing any work');
  (await launcher.arrivals(1))[0]!.answer(1);
  (await launcher.arrivals(2))[1]!.answer(2);
  t.like(await running, { result: { ok: true, output: 1 } });
  t.like(await waiting, { result: { ok: true, output: 2 } });
  t.false(pool.refuses('default'));
  t.deepEqual(
    launcher.calls.map((c) => c.input),
    ['first', 'second'],
    'the refused call never reached a sandbox',
  );
});

test('a call that finds no place within the wait bound is answered BUSY, and never runs', async (t) => {
  const { launcher, call } = setup(t, { maxSandboxes: 1, concurrency: 1, maxWaitMs: 1 });
  const app = testApp('shop');
  const holder = call(app, 'holder');
  const refused = await t.throwsAsync(call(app, 'waiter'), busy);
  t.regex(refused!.message, /within 1 ms/);
  (await launcher.arrivals(1))[0]!.answer('held');
  t.like(await holder, { result: { ok: true, output: 'held' } });
  t.deepEqual(
    launcher.calls.map((c) => c.input),
    ['holder'],
  );
});

test("one owner's flood is refused past its own line, and another owner's call runs before the flood's waiting calls", async (t) => {
  const { launcher, pool, call } = setup(t, { maxSandboxes: 1, concurrency: 2, maxQueue: 8, maxQueuePerOwner: 2 });
  const app = testApp('shop');
  const flood = ['flood-0', 'flood-1', 'flood-2', 'flood-3'].map((input) => call(app, input, 'flooder'));
  await t.throwsAsync(call(app, 'flood-4', 'flooder'), busy);
  t.true(pool.refuses('flooder'));
  t.false(pool.refuses('neighbour'), "the flood's full line does not refuse anyone else");
  const neighbour = call(app, 'neighbour', 'neighbour');
  const running = await launcher.arrivals(2);
  t.deepEqual(running.map((c) => c.input).sort(), ['flood-0', 'flood-1']);
  const [first, second] = await launcher.arrivalsOf('flood-0', 'flood-1');
  first!.answer(0);
  const [, , third] = await launcher.arrivals(3);
  t.is(third!.input, 'neighbour', 'first come, first served would have run flood-2 here');
  third!.answer('n');
  second!.answer(1);
  for (const [i, c] of (await launcher.arrivalsOf('flood-2', 'flood-3')).entries()) c.answer(i + 2);
  t.like(await neighbour, { result: { ok: true, output: 'n' } });
  t.deepEqual(
    (await Promise.all(flood)).map((o) => o.result),
    [0, 1, 2, 3].map((output) => ({ ok: true, output })),
  );
});

test("an app's sandbox idle up to its time to live since its last call stays warm, is ended past it, and a busy one is never ended", async (t) => {
  const { launcher, clock, call } = setup(t, { idleTtlMs: 1000 });
  const app = testApp('shop');
  const answerNext = async (input: string) => {
    const outcome = call(app, input);
    const arrived = (await launcher.arrivals(launcher.calls.length + 1)).at(-1)!;
    arrived.answer(input);
    return { outcome: await outcome, sandbox: arrived.sandbox.id };
  };
  t.like(await answerNext('a'), { sandbox: 'fake-1', outcome: { coldStart: true } });
  clock.advance(600);
  t.like(await answerNext('b'), { sandbox: 'fake-1', outcome: { coldStart: false } });
  clock.advance(1000);
  t.like(await answerNext('c'), { sandbox: 'fake-1', outcome: { coldStart: false } }, 'idle exactly its time to live since b: still warm');
  clock.advance(1001);
  t.true(launcher.sandboxes[0]!.killed);
  const slow = call(app, 'slow');
  const inSlow = (await launcher.arrivals(4))[3]!;
  t.is(inSlow.sandbox.id, 'fake-2', 'the ended sandbox was replaced by a fresh one');
  clock.advance(5000);
  t.false(inSlow.sandbox.ended, 'a sandbox running a call is never idle');
  inSlow.answer('done');
  t.like(await slow, { result: { ok: true, output: 'done' }, coldStart: true });
});

test('a call whose result says it left processes behind gets its answer, and its sandbox is ended before anything else runs there', async (t) => {
  const { launcher, call } = setup(t);
  const app = testApp('shop');
  const tainting = call(app, 'leaves a process');
  (await launcher.arrivals(1))[0]!.answer('left one', { tainted: true });
  t.like(await tainting, { result: { ok: true, output: 'left one' } });
  t.true(launcher.sandboxes[0]!.killed);
  const next = call(app, 'next');
  const inNext = (await launcher.arrivals(2))[1]!;
  t.is(inNext.sandbox.id, 'fake-2');
  inNext.answer('clean');
  t.like(await next, { result: { ok: true, output: 'clean' }, coldStart: true });
});

test('a sandbox reported tainted takes no new calls, finishes the ones it runs, and is then ended', async (t) => {
  const { launcher, call } = setup(t, { concurrency: 2 });
  const app = testApp('shop');
  const [a, b] = [call(app, 'a'), call(app, 'b')];
  const [inA, inB] = await launcher.arrivalsOf('a', 'b');
  t.is(inB!.sandbox, inA!.sandbox);
  inA!.sandbox.taint();
  const c = call(app, 'c');
  const inC = (await launcher.arrivals(3))[2]!;
  t.is(inC.sandbox.id, 'fake-2', 'the tainted sandbox had room but was passed over');
  inA!.answer('A');
  t.like(await a, { result: { ok: true, output: 'A' } });
  t.false(inA!.sandbox.killed, 'b still runs there');
  inB!.answer('B');
  t.like(await b, { result: { ok: true, output: 'B' } });
  t.true(inA!.sandbox.killed);
  inC.answer('C');
  t.like(await c, { result: { ok: true, output: 'C' } });
});

test('a call whose sandbox fails to start fails with the reason, and the next call starts a new one', async (t) => {
  const { launcher, call } = setup(t);
  const app = testApp('shop');
  launcher.failNext(new EdgeError('SANDBOX_FAILED', 'the image edgecourier-runtime:gone is missing'));
  await t.throwsAsync(call(app, 'first'), { instanceOf: EdgeError, code: 'SANDBOX_FAILED', message: /edgecourier-runtime:gone is missing/ });
  const second = call(app, 'second');
  (await launcher.arrivals(1))[0]!.answer('ran');
  t.like(await second, { result: { ok: true, output: 'ran' }, coldStart: true });
  t.is(launcher.launches, 2);
});

test('a burst of calls for a new app waits for the one sandbox starting for it, and all fail with its reason if that start fails', async (t) => {
  const { launcher, call } = setup(t, { concurrency: 4 });
  launcher.holdStarts = true;
  const shop = testApp('shop');
  const burst = [call(shop, 1), call(shop, 2), call(shop, 3)];
  t.is(launcher.launches, 1, 'one sandbox has room for all three');
  launcher.held[0]!.start();
  const arrived = await launcher.arrivals(3);
  t.deepEqual(
    arrived.map((c) => c.sandbox.id),
    ['fake-1', 'fake-1', 'fake-1'],
  );
  for (const c of arrived) c.answer(Number(c.input) * 10);
  t.deepEqual(
    (await Promise.all(burst)).map((o) => [o.result, o.coldStart]),
    [10, 20, 30].map((output) => [{ ok: true, output }, true]),
  );

  const blog = testApp('blog');
  const doomed = [call(blog, 'x'), call(blog, 'y')];
  t.is(launcher.launches, 2);
  launcher.held[1]!.fail(new EdgeError('SANDBOX_FAILED', 'the sandbox did not start within 20000 ms'));
  for (const outcome of doomed) await t.throwsAsync(outcome, { instanceOf: EdgeError, code: 'SANDBOX_FAILED', message: /did not start within/ });
});

test('a pool none of whose pre-started sandboxes starts fails its start with the reason; one that starts is enough', async (t) => {
  const broken = setup(t, { prestart: 2 });
  broken.launcher.failNext(new Error('no such image: edgecourier-runtime:gone'));
  broken.launcher.failNext(new Error('no such image: edgecourier-runtime:gone'));
  await t.throwsAsync(broken.pool.start(), { message: /no such image/ });
  t.true(broken.pool.closed);
  await t.throwsAsync(broken.call(testApp('shop'), 'x'), { instanceOf: EdgeError, code: 'EXECUTOR_CLOSED' });

  const half = setup(t, { prestart: 2 });
  half.launcher.failNext(new Error('no such image: edgecourier-runtime:gone'));
  await half.pool.start();
  const served = half.call(testApp('shop'), 'x');
  const [arrived] = await half.launcher.arrivals(1);
  arrived!.answer('fine');
  t.like(await served, { result: { ok: true, output: 'fine' }, coldStart: false });
});

test("releasing an app ends its idle sandboxes at once and its busy ones once their calls are answered; other apps' stay", async (t) => {
  const { launcher, pool, call } = setup(t, { maxSandboxes: 3 });
  const [shop, blog] = [testApp('shop'), testApp('blog')];
  const [idle, busyCall, other] = [call(shop, 'idle'), call(shop, 'busy'), call(blog, 'other')];
  const [inIdle, inBusy, inOther] = await launcher.arrivalsOf('idle', 'busy', 'other');
  inIdle!.answer('i');
  inOther!.answer('o');
  await Promise.all([idle, other]);
  await pool.release(shop.dir);
  t.true(inIdle!.sandbox.killed);
  t.false(inBusy!.sandbox.killed);
  inBusy!.answer('still answered');
  t.like(await busyCall, { result: { ok: true, output: 'still answered' } });
  t.true(inBusy!.sandbox.killed);
  t.false(inOther!.sandbox.killed);
  const again = call(shop, 'again');
  const inAgain = (await launcher.arrivals(4))[3]!;
  t.is(inAgain.sandbox.id, 'fake-4');
  inAgain.answer('fresh');
  t.like(await again, { result: { ok: true, output: 'fresh' }, coldStart: true });
});

test('a sandbox that dies fails its running call with the reason, and takes no more calls, busy or idle when it died', async (t) => {
  const { launcher, call } = setup(t);
  const app = testApp('shop');
  const doomed = call(app, 'hog');
  const [inDoomed] = await launcher.arrivals(1);
  inDoomed!.sandbox.die({ code: 'OUT_OF_MEMORY', message: "the app's container used more than its 512 MB" });
  t.like(await doomed, { result: { ok: false, error: { code: 'OUT_OF_MEMORY', message: "the app's container used more than its 512 MB" } } });
  const next = call(app, 'next');
  const inNext = (await launcher.arrivals(2))[1]!;
  t.is(inNext.sandbox.id, 'fake-2');
  inNext.answer('ok');
  t.like(await next, { result: { ok: true, output: 'ok' } });
  inNext.sandbox.die({ code: 'SANDBOX_FAILED', message: 'the container ended (exit code 137)' });
  const after = call(app, 'after an idle death');
  const inAfter = (await launcher.arrivals(3))[2]!;
  t.is(inAfter.sandbox.id, 'fake-3');
  inAfter.answer('ok again');
  t.like(await after, { result: { ok: true, output: 'ok again' }, coldStart: true });
});

test("a nested ctx.call runs in its caller's sandbox even when no place is free, so a full pool cannot deadlock", async (t) => {
  const { launcher, call } = setup(t, { maxSandboxes: 1, concurrency: 1, maxQueue: 0 });
  const app = testApp('shop');
  const outer = call(app, 'outer');
  const [inOuter] = await launcher.arrivals(1);
  await t.throwsAsync(call(app, 'another top-level call'), busy);
  const nested = inOuter!.ctxCall('helper', 'inner');
  const [, inNested] = await launcher.arrivals(2);
  t.deepEqual([inNested!.fn, inNested!.input, inNested!.sandbox], ['helper', 'inner', inOuter!.sandbox]);
  t.is(inNested!.message.parent, inOuter!.message.id, 'the harness runs it beside its caller');
  inNested!.answer('INNER');
  t.deepEqual(await nested, { ok: true, output: 'INNER' });
  inOuter!.answer('outer got INNER');
  t.like(await outer, { result: { ok: true, output: 'outer got INNER' } });
});

test('at the limit, a new app takes the place of the sandbox idle the longest; a new version of an app replaces its old one', async (t) => {
  const { launcher, clock, call } = setup(t, { maxSandboxes: 3, maxSandboxesPerApp: 1 });
  const run = async (app: LoadedApp, input: string) => {
    const outcome = call(app, input);
    const arrived = (await launcher.arrivals(launcher.calls.length + 1)).at(-1)!;
    arrived.answer(input);
    await outcome;
    clock.advance(10);
    return arrived.sandbox;
  };
  const shop = await run(testApp('shop'), 'shop');
  const blog = await run(testApp('blog'), 'blog');
  const news = await run(testApp('news'), 'news');
  t.is((await run(testApp('shop'), 'shop again')).id, shop.id, 'shop is now the most recently used');
  const wiki = await run(testApp('wiki'), 'wiki');
  t.deepEqual([wiki.id, blog.killed, shop.killed, news.killed], ['fake-4', true, false, false], 'blog was idle the longest');
  const shop2 = await run(testApp('shop', 2), 'shop v2');
  t.deepEqual([shop2.id, shop.killed, news.killed], ['fake-5', true, false], "shop's one sandbox went to its new version, though news was idle longer");
});

/** An app with dependencies, installed (by the fake installer setup gets) into a folder of its own. */
async function appWithDependencies(name: string): Promise<{ app: LoadedApp; depsDir: string }> {
  const depsDir = await tempFolder(`ec-deps-${name}`);
  await mkdir(join(depsDir, 'node_modules'));
  return { app: { ...testApp(name), dependencies: { appDir: `/apps/${name}`, packageJson: '{}' } }, depsDir };
}

test('an app whose dependencies need another variant of sandbox runs in one started as it; the pre-started plain one stays for plain apps', async (t) => {
  const { app, depsDir } = await appWithDependencies('thumbs');
  const { launcher, pool, call } = setup(t, { prestart: 1, maxSandboxes: 3, installer: { ensure: async () => depsDir } });
  launcher.variants.set(depsDir, 'with-libresolv');
  await pool.start();
  const thumb = call(app, 'thumb');
  const [inThumbs] = await launcher.arrivals(1);
  t.deepEqual([inThumbs!.sandbox.id, inThumbs!.sandbox.kind], ['fake-2', { network: 'none', variant: 'with-libresolv' }]);
  inThumbs!.answer('small');
  t.like(await thumb, { result: { ok: true, output: 'small' }, coldStart: true });
  const order = call(testApp('shop'), 'order');
  const [, inShop] = await launcher.arrivals(2);
  t.deepEqual([inShop!.sandbox.id, inShop!.sandbox.kind], ['fake-1', { network: 'none' }]);
  inShop!.answer('ordered');
  t.like(await order, { result: { ok: true, output: 'ordered' }, coldStart: false });
});

test('at the limit, an app needing another variant takes the place of an idle pre-started plain sandbox instead of waiting for it', async (t) => {
  const { app, depsDir } = await appWithDependencies('thumbs');
  const { launcher, pool, call } = setup(t, { prestart: 1, maxSandboxes: 1, installer: { ensure: async () => depsDir } });
  launcher.variants.set(depsDir, 'with-libresolv');
  await pool.start();
  const thumb = call(app, 'thumb');
  const [inThumbs] = await launcher.arrivals(1);
  t.deepEqual([inThumbs!.sandbox.id, inThumbs!.sandbox.kind], ['fake-2', { network: 'none', variant: 'with-libresolv' }]);
  t.true(launcher.sandboxes[0]!.killed, 'the plain one made room');
  inThumbs!.answer('small');
  t.like(await thumb, { result: { ok: true, output: 'small' } });
});

test('closing the pool answers waiting calls EXECUTOR_CLOSED and ends every sandbox', async (t) => {
  const { launcher, pool, call } = setup(t, { maxSandboxes: 1, concurrency: 1 });
  const app = testApp('shop');
  const running = call(app, 'running');
  const waiting = call(app, 'waiting');
  const [inRunning] = await launcher.arrivals(1);
  await pool.close();
  await t.throwsAsync(waiting, { instanceOf: EdgeError, code: 'EXECUTOR_CLOSED' });
  t.like(await running, { result: { ok: false, error: { code: 'SANDBOX_FAILED' } } });
  t.true(inRunning!.sandbox.killed);
  await t.throwsAsync(call(app, 'late'), { instanceOf: EdgeError, code: 'EXECUTOR_CLOSED' });
});

/** `testApp` whose app.json declares network egress, or no longer does. */
const withEgress = (app: LoadedApp, egress = true): LoadedApp => ({ ...app, config: { network: { egress } } });

test('an app with egress never takes a pre-started sandbox (they have no network): it gets one started with egress, and the pre-started one serves the next app without', async (t) => {
  const { launcher, pool, call } = setup(t, { prestart: 1, maxSandboxes: 3 });
  await pool.start();
  const fetching = call(withEgress(testApp('fetcher')), 'fetch');
  const [arrived] = await launcher.arrivals(1);
  t.deepEqual([arrived!.sandbox.id, arrived!.sandbox.kind.network], ['fake-2', 'egress']);
  arrived!.answer('fetched');
  t.like(await fetching, { result: { ok: true, output: 'fetched' }, coldStart: true });
  const plain = call(testApp('shop'), 'order');
  const [, next] = await launcher.arrivals(2);
  t.deepEqual([next!.sandbox.id, next!.sandbox.kind.network], ['fake-1', 'none']);
  next!.answer('ordered');
  t.like(await plain, { result: { ok: true, output: 'ordered' }, coldStart: false });
});

test('with every place held by pre-started sandboxes, an app with egress ends one to make room for its own', async (t) => {
  const { launcher, pool, call } = setup(t, { prestart: 1, maxSandboxes: 1 });
  await pool.start();
  const fetching = call(withEgress(testApp('fetcher')), 'fetch');
  const [arrived] = await launcher.arrivals(1);
  t.deepEqual([arrived!.sandbox.kind.network, launcher.sandboxes[0]!.killed], ['egress', true]);
  arrived!.answer('fetched');
  t.like(await fetching, { result: { ok: true, output: 'fetched' } });
});

test('an app whose app.json turns egress off or on stops using its sandbox of the other kind, though its code is the same', async (t) => {
  const { launcher, call } = setup(t, { maxSandboxes: 3 });
  const networks: string[] = [];
  for (const [input, app] of [
    ['with', withEgress(testApp('shop'))],
    ['without', withEgress(testApp('shop'), false)],
    ['again', withEgress(testApp('shop'))],
  ] as const) {
    const outcome = call(app, input);
    const arrived = (await launcher.arrivals(launcher.calls.length + 1)).at(-1)!;
    networks.push(`${arrived.sandbox.id}:${arrived.sandbox.kind.network}`);
    arrived.answer(input);
    await outcome;
  }
  t.deepEqual(networks, ['fake-1:egress', 'fake-2:none', 'fake-1:egress']);
});
