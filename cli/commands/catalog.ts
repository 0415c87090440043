/** @module `edgecourier catalog [query]`: the apps everyone may read, searched by words of their name and description, a page at a time. */
import type { Command } from 'commander';
import { guarded, printResult } from '../output.ts';

interface Listing {
  id: string;
  name: string;
  description: string;
  access: string;
  status: string;
  functions: Array<{ name: string }>;
}

interface CatalogPage {
  apps: Listing[];
  total: number;
  offset: number;
  limit: number;
}

function asText(page: CatalogPage): string {
  if (page.total === 0) return 'no app matches';
  const lines = page.apps.map((app) => {
    const about = app.description.split('\n', 1)[0]!.slice(0, 80);
    return `${app.name}  ${app.id}  ${app.access}  ${app.status}  ${app.functions.map((fn) => fn.name).join(', ')}${about ? `\n  ${about}` : ''}`;
  });
  const shown = page.apps.length === 0 ? `none of ${page.total}` : `${page.offset + 1}-${page.offset + page.apps.length} of ${page.total}`;
  return [...lines, `(${shown}; describe one with: edgecourier describe <id>)`].join('\n');
}

export function registerCatalog(program: Command): void {
  program
    .command('catalog')
    .description(
      'List the apps everyone may read (shared with everyone), newest change first; with a query, those whose name or description holds every word of it.',
    )
    .argument('[query...]', 'words to look for, in any case')
    .option('--limit <n>', 'apps per page, 1 to 100', '20')
    .option('--offset <n>', 'apps to skip', '0')
    .option('--json', 'print the page as JSON: { apps, total, offset, limit }')
    .action(
      guarded(async (words: string[], options: { limit: string; offset: string; json?: boolean }) => {
        const { loggedInClient } = await import('../session.ts');
        const client = await loggedInClient();
        const query = new URLSearchParams({ ...(words.length > 0 ? { q: words.join(' ') } : {}), limit: options.limit, offset: options.offset });
        const page = await client.request<CatalogPage>('GET', `/api/v1/catalog?${query}`);
        printResult(options.json, page, asText(page));
      }),
    );
}
