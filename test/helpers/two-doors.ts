/** @module A folder app with endpoints for the two-doors tests (`edgecourier start --owner` and fleet roots): written into a synced folder file by file. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from './wait.ts';

/** An app with endpoints: greet calls upper, which is idempotent, so a call has a cache entry. */
export const twoDoorsApp = (greeting: string): Record<string, string> => ({
  'app.json': JSON.stringify(
    {
      description: 'two doors',
      functions: { upper: { idempotent: true } },
      endpoints: [
        { method: 'POST', path: '/greet', function: 'greet' },
        { method: 'POST', path: '/upper', function: 'upper' },
      ],
    },
    null,
    4,
  ),
  'functions/greet.js': `export default async (input, ctx) => ({ message: '${greeting} ' + (await ctx.call('upper', { text: input.name })) });\n`,
  'functions/upper.js': 'export default (input) => input.text.toUpperCase();\n',
});

/** Writes `files` (path to text) into the app folder `<root>/<name>`. */
export async function writeApp(root: string, name: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, name, path, '..'), { recursive: true });
    await writeFile(join(root, name, path), text);
  }
}

/**
 * The profiles of function `fn` that `read` (GET /apps/:id/profile) answers, once one of them counts a call at a
 * courier (a folder request) and one at the cloud (an endpoint call); each door's call is counted once it ends.
 */
export function profilesOfBothDoors(read: () => Promise<any[]>, fn: string, explain?: () => string): Promise<any[]> {
  return waitFor(
    `calls of "${fn}" from both doors in the app's profile`,
    async () => {
      const profiles = (await read()).filter((profile) => profile.function === fn);
      const at = (place: string) => profiles.some((profile) => profile.places[place] > 0);
      return at('courier') && at('cloud') ? profiles : undefined;
    },
    { timeoutMs: 60_000, explain },
  );
}
