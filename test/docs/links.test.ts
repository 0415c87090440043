/**
 * @module Every relative link of README.md and docs/*.md leads to a file that exists, and every #anchor to a heading
 * of its page as GitHub names it, so moving text between pages cannot leave a dead link behind.
 */
import test from 'ava';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempFolder } from '../helpers/temp.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** The lines of a page outside its fenced code blocks: a `#` there is a comment, a link only text. */
function outsideFences(markdown: string): string[] {
  let fence: string | undefined;
  const lines: string[] = [];
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (!fence || marker.startsWith(fence))) fence = fence ? undefined : marker;
    else if (!fence) lines.push(line);
  }
  return lines;
}

/** A line with its code spans blanked, so that a link shown as code is not taken for one. */
const withoutCode = (line: string) => line.replace(/(`+)(.+?)\1/g, (_, ticks: string, code: string) => ticks + ' '.repeat(code.length) + ticks);

/**
 * The anchors GitHub gives a page's headings: the text as rendered (links to their text, no code ticks or emphasis),
 * lowercased, punctuation dropped, spaces made hyphens; a repeated one gets -1, -2...
 */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const headings = outsideFences(markdown).filter((line) => /^#{1,6}\s/.test(line));
  for (const heading of headings) {
    const text = heading
      .replace(/^#{1,6}\s+/, '')
      .replace(/\s+#+\s*$/, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[`*]/g, '');
    const base = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** The targets of a page's inline links and images, and of its reference definitions, as written. */
function targetsOf(markdown: string): string[] {
  const text = outsideFences(markdown).map(withoutCode).join('\n');
  const inline = [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!);
  const definitions = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((match) => match[1]!);
  return [...inline, ...definitions];
}

/** What is wrong with the links of `page` (a path under `root`): each dead link, named by page and target. */
async function deadLinks(root: string, page: string): Promise<string[]> {
  const markdown = await readFile(join(root, page), 'utf8');
  const problems: string[] = [];
  for (const target of targetsOf(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto: lead off the repository
    const [path = '', anchor] = target.split('#');
    const file = path === '' ? join(root, page) : resolve(root, path.startsWith('/') ? path.slice(1) : join(dirname(page), decodeURIComponent(path)));
    if (relative(root, file).startsWith('..')) {
      problems.push(`${page}: ${target}: outside the repository`);
    } else if (!(await stat(file).catch(() => undefined))) {
      problems.push(`${page}: ${target}: no such file`);
    } else if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(await readFile(file, 'utf8')).has(decodeURIComponent(anchor))) {
      problems.push(`${page}: ${target}: no heading with that anchor in ${relative(root, file)}`);
    }
  }
  return problems;
}

/** README.md and every page of docs/. */
async function pages(root: string): Promise<string[]> {
  const docs = (await readdir(join(root, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

test('every relative link of README.md and docs/*.md leads to a file, and every anchor to a heading', async (t) => {
  const found = await pages(repo);
  t.true(found.length > 5, `only ${found.join(', ')}`);
  t.deepEqual((await Promise.all(found.map((page) => deadLinks(repo, page)))).flat(), []);
});

test('a link to a missing page, to a missing heading, or out of the repository is reported', async (t) => {
  const root = await tempFolder('doc-links');
  await mkdir(join(root, 'docs'));
  await writeFile(join(root, 'docs', 'guide.md'), '# Guide\n\n## The `run` command\n\nSee [the top](../README.md#readme-top).\n');
  await writeFile(
    join(root, 'README.md'),
    [
      '# Readme top',
      '[ok](docs/guide.md#the-run-command) [gone](docs/gone.md) [wrong](docs/guide.md#the-start-command) [out](../elsewhere.md)',
      '[web](https://example.com/x.md) `[code](docs/gone.md)`',
      '```',
      '[fenced](docs/gone.md)',
      '```',
    ].join('\n'),
  );
  t.deepEqual((await Promise.all((await pages(root)).map((page) => deadLinks(root, page)))).flat(), [
    'README.md: docs/gone.md: no such file',
    'README.md: docs/guide.md#the-start-command: no heading with that anchor in docs/guide.md',
    'README.md: ../elsewhere.md: outside the repository',
  ]);
});

const anchor = test.macro({
  exec(t, heading: string, expected: string) {
    const anchors = anchorsOf(`# Page\n\n${heading}\n`);
    t.true(anchors.has(expected), [...anchors].join(', '));
  },
  title: (_, heading: string, expected: string) => `the heading "${heading}" is linked as #${expected}`,
});

test(anchor, '## The `edgecourier` command', 'the-edgecourier-command');
test(anchor, '# Under load: time limits, refusals and fair shares', 'under-load-time-limits-refusals-and-fair-shares');
test(anchor, '# Fleet API (operators): roots, couriers and leases', 'fleet-api-operators-roots-couriers-and-leases');
test(anchor, '### 1. Drop a file into a synced folder', '1-drop-a-file-into-a-synced-folder');
test(anchor, '## See [the API](http-api.md) and snake_case', 'see-the-api-and-snake_case');
test(anchor, '# Page', 'page-1');

test('a heading inside a fenced block is no heading', (t) => {
  t.deepEqual([...anchorsOf('# Real\n\n```sh\n# a comment\n```\n')], ['real']);
});
