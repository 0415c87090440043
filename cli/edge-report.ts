/**
 * @module `edgecourier run --report <app>`: an edge run's profile, every call of its tree counted as run at the edge,
 * sent to a cloud app of the logged-in account (docs/cli.md). Only when asked: nothing leaves the machine otherwise.
 */
import { edgeReportBodies } from '../api/profile-batches.ts';
import { profilePaths } from '../api/profiles.ts';
import type { CallObserver } from '../runtime/call-trace.ts';
import { sampleOf } from '../runtime/profile-samples.ts';
import { ProfileBook } from '../runtime/profiles.ts';
import { openApp } from './session.ts';

/** Profiles the calls of one run, to report them once it is done. */
export class EdgeRunProfile {
  #book = new ProfileBook();

  readonly onCall: CallObserver = (trace) => {
    const sample = sampleOf(trace, 'edge');
    if (sample) this.#book.record(sample);
  };

  /**
   * Sends what was profiled to the cloud app `appNameOrId` (a name or an `app_…` id) and says what it sent; throws
   * what the cloud or the network answered.
   */
  async report(appNameOrId: string): Promise<string> {
    const digests = this.#book.digests();
    if (digests.length === 0) return 'no call reached a function version; no profile to report';
    const { client, app } = await openApp(appNameOrId);
    for (const body of edgeReportBodies(digests)) await client.request('POST', profilePaths.app(app.id), body);
    return `reported the profile of ${digests.length} function version${digests.length === 1 ? '' : 's'} to ${app.name} (${app.id})`;
  }
}
