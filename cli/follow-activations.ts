/** @module `edgecourier logs --follow`: an app's new activations as the cloud streams them, taken up again where each stream ended. */
import { activationPaths, type Activation } from '../api/activations.ts';
import { EdgeError } from '../base/errors.ts';
import type { CloudClient } from './cloud-client.ts';
import { progress } from './output.ts';
import { serverEvents } from './server-events.ts';

/**
 * Shows each activation of `app` that passes `filter` and comes after `after` (a `seq`), until the process is stopped.
 * The cloud ends each stream after a while (and a client that reads too slowly): the next one starts after the
 * last activation shown, so none is missed or shown twice.
 */
export async function followActivations(
  client: CloudClient,
  app: { id: string; name: string },
  filter: URLSearchParams,
  after: number | undefined,
  show: (activation: Activation) => void,
): Promise<never> {
  let last = after;
  let told = false;
  for (;;) {
    const query = new URLSearchParams(filter);
    if (last !== undefined) query.set('after', String(last));
    const body = await client.stream(`${activationPaths.follow(app.id)}?${query}`);
    if (!told) progress(`following the activations of ${app.name} (Ctrl-C to stop)`);
    told = true;
    try {
      for await (const event of serverEvents(body)) {
        if (event.event !== 'activation') continue;
        const activation = JSON.parse(event.data) as Activation;
        last = activation.seq;
        show(activation);
      }
    } catch (error) {
      throw new EdgeError(
        'CLOUD_UNREACHABLE',
        `the cloud at ${client.url} ended the stream of activations: ${String((error as Error).cause ?? (error as Error).message)}`,
      );
    }
  }
}
