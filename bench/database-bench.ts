/**
 * @module Database benchmark: how long one write of the cloud's database blocks the server's event loop
 * when an account holds 8 MB of function code, against lowdb's plain JSON file holding the same data.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { CodeSplitFile } from '../cloud/code-split-file.ts';
import { emptyData, type CloudData } from '../cloud/data.ts';
import { percentile } from './stats.ts';

const WRITES = 30;
const FUNCTIONS = 9;
const CODE_KB = 900;

function accountWithCode(): CloudData {
  const data = emptyData();
  const now = new Date().toISOString();
  data.apps.push({
    id: 'app_0000000000000001',
    ownerId: 'user_1',
    name: 'big',
    description: '',
    packageJson: null,
    status: 'stopped',
    functions: Array.from({ length: FUNCTIONS }, (_, i) => ({
      name: `fn${i}`,
      code: `// fn${i}\nexport default () => ${JSON.stringify('x'.repeat(CODE_KB * 1024))}.length;\n`,
      language: 'js' as const,
      idempotent: false,
      public: false,
      updatedAt: now,
    })),
    files: [],
    endpoints: [],
    createdAt: now,
    updatedAt: now,
  });
  return data;
}

/** The longest time the event loop did not turn during each of WRITES small changes (a new token each), in ms. */
async function blocksPerWrite(adapter: Adapter<CloudData>): Promise<number[]> {
  const db = new Low<CloudData>(adapter, accountWithCode());
  await db.write();
  const blocks: number[] = [];
  for (let i = 0; i < WRITES; i++) {
    db.data.tokens.push({
      id: `tok_${i}`,
      userId: 'user_1',
      kind: 'api',
      name: `t${i}`,
      tokenHash: 'h'.repeat(64),
      createdAt: new Date().toISOString(),
      expiresAt: null,
    });
    let longest = 0;
    let last = performance.now();
    let writing = true;
    const probe = () => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      if (writing) setImmediate(probe);
    };
    setImmediate(probe);
    await db.write();
    probe();
    writing = false;
    blocks.push(longest);
  }
  return blocks;
}

export async function benchDatabase(deps: { report(line: string): void }): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ec-bench-db-'));
  const split = await blocksPerWrite(new CodeSplitFile({ file: join(dir, 'split', 'cloud.json'), reloaded: () => {} }));
  const plain = await blocksPerWrite(new JSONFile<CloudData>(join(dir, 'plain.json')));
  const p50 = percentile(split, 50);
  const plainP50 = percentile(plain, 50);
  deps.report(
    `database write with 8 MB of code in one account: event loop blocked p50 ${p50.toFixed(2)} ms, p90 ${percentile(split, 90).toFixed(2)} ms, max ${Math.max(...split).toFixed(2)} ms per write (target <= 5 ms); ` +
      `lowdb's JSON file with the code inline: p50 ${plainP50.toFixed(1)} ms, max ${Math.max(...plain).toFixed(1)} ms (${(plainP50 / p50).toFixed(0)}x longer)`,
  );
}
