/**
 * @module An app's start from the CLI: `POST /apps/:appId/start`, and while it waits, each step the cloud says the
 * start is at (the app's `start`) as a progress line on stderr, so a start that installs dependencies is not silent.
 */
import { appStartField } from '../api/app-starts.ts';
import type { CloudClient } from './cloud-client.ts';
import { progress } from './output.ts';
import type { AppSummary } from './session.ts';

/** How often the app is read while its start goes on. */
const POLL_MS = 1000;

/**
 * Starts the app and resolves with it once it runs; meanwhile prints `starting <name>: <step>` for each new step.
 * @example const app = await startApp(client, { id: 'app_…', name: 'shop' })
 */
export async function startApp(client: CloudClient, app: { id: string; name: string }): Promise<AppSummary> {
  const path = `/api/v1/apps/${encodeURIComponent(app.id)}`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let done = false;
  let shown: string | undefined;
  const read = async () => {
    // A read that fails or answers something else says nothing: the start's own answer tells what went wrong.
    const answer = await client.send('GET', path).catch(() => undefined);
    const phase = answer?.status === 200 ? appStartField.safeParse(answer.body).data?.start?.phase : undefined;
    if (done) return;
    if (phase && phase !== shown) progress(`starting ${app.name}: ${(shown = phase)}`);
    timer = setTimeout(read, POLL_MS);
  };
  timer = setTimeout(read, POLL_MS);
  try {
    return await client.request<AppSummary>('POST', `${path}/start`);
  } finally {
    done = true;
    clearTimeout(timer);
  }
}
