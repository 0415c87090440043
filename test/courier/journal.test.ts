/** The journal survives restarts and crashes: what was done stays done, a cut-off last line is ignored, and it stays compact. */
import test from 'ava';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Journal } from '../../courier/journal.ts';
import { tempFolder } from '../helpers/temp.ts';

async function journalFile(): Promise<string> {
  return join(await tempFolder('ec-journal'), 'journal.jsonl');
}

test('accepted and done states survive reopening, per content hash', async (t) => {
  const file = await journalFile();
  const journal = await Journal.open(file);
  await journal.accepted('a/requests/1.json', 'h1');
  await journal.done('a/requests/1.json', 'h1');
  await journal.accepted('a/requests/2.json', 'h2');
  await journal.close();
  const reopened = await Journal.open(file);
  t.is(reopened.state('a/requests/1.json', 'h1'), 'done');
  t.is(reopened.state('a/requests/1.json', 'other'), undefined, 'edited content is new work');
  t.is(reopened.state('a/requests/2.json', 'h2'), 'accepted');
});

test('a line cut short by a crash is ignored', async (t) => {
  const file = await journalFile();
  const journal = await Journal.open(file);
  await journal.accepted('a/requests/1.json', 'h1');
  await journal.done('a/requests/1.json', 'h1');
  await journal.close();
  await appendFile(file, '{"p":"a/requests/2.json","h":"h2","s":');
  const reopened = await Journal.open(file);
  t.is(reopened.state('a/requests/1.json', 'h1'), 'done');
  t.deepEqual(reopened.paths(), ['a/requests/1.json']);
});

test('forgetting a removed request lets the same content run again', async (t) => {
  const journal = await Journal.open(await journalFile());
  await journal.accepted('a/requests/1.json', 'h1');
  await journal.done('a/requests/1.json', 'h1');
  await journal.forget('a/requests/1.json');
  t.is(journal.state('a/requests/1.json', 'h1'), undefined);
});

test('a request forgotten while it ran (its file removed) stays forgotten when it finishes', async (t) => {
  const file = await journalFile();
  const journal = await Journal.open(file);
  await journal.accepted('a/requests/1.json', 'h1');
  await journal.forget('a/requests/1.json');
  await journal.done('a/requests/1.json', 'h1');
  t.is(journal.state('a/requests/1.json', 'h1'), undefined);
  await journal.close();
  t.deepEqual((await Journal.open(file)).paths(), []);
});

test('many records of few requests are compacted to one line each on reopen', async (t) => {
  const file = await journalFile();
  const journal = await Journal.open(file);
  for (let i = 0; i < 50; i++) {
    await journal.accepted('a/requests/1.json', `h${i}`);
    await journal.done('a/requests/1.json', `h${i}`);
  }
  await journal.close();
  await Journal.open(file);
  t.is((await readFile(file, 'utf8')).trim().split('\n').length, 1);
});

test('concurrent records are all written, in one or a few appends', async (t) => {
  const file = await journalFile();
  const journal = await Journal.open(file);
  await Promise.all(Array.from({ length: 200 }, (_, i) => journal.accepted(`a/requests/${i}.json`, `h${i}`)));
  await Promise.all(Array.from({ length: 200 }, (_, i) => journal.done(`a/requests/${i}.json`, `h${i}`)));
  await journal.close();
  const reopened = await Journal.open(file);
  t.is(reopened.paths().length, 200);
});
