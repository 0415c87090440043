/**
 * @module The second door of a fleet root: an AppPublisher over the fleet API, publishing the root's apps with
 * endpoints as apps of the account the root is linked to, for as long as this courier holds the root's lease
 * (docs/fleet-api.md, "Folder apps of roots").
 */
import { createHash } from 'node:crypto';
import { fleetPaths, rootAppList, rootAppPublished, rootAppWithdrawn } from '../api/fleet.ts';
import { checkAnswer, type FleetTransport } from './fleet-client.ts';
import type { AppPublisher } from './folder-doors.ts';

export interface FleetPublisherOptions {
  transport: FleetTransport;
  /** The id the courier's registration gave it now: the cloud takes a root's apps only from the courier holding its lease. */
  courierId: () => string;
  rootId: string;
}

/**
 * Each publish uploads the app's files, then names them all in one deploy, as `edgecourier deploy` does: the cloud
 * checks them against the same caps. The list of published apps is asked once, then kept as this courier changes it.
 * @example folderDoors({ root, publisher: fleetPublisher({ transport, courierId: () => id, rootId }), quietMs, logger })
 */
export function fleetPublisher(options: FleetPublisherOptions): AppPublisher {
  const { transport, rootId } = options;
  let names: Set<string> | undefined;
  return {
    async published() {
      if (!names) {
        const answer = await transport.request('GET', fleetPaths.rootApps(options.courierId(), rootId));
        names = new Set(checkAnswer(rootAppList, "the list of a root's apps", answer).apps);
      }
      return [...names];
    },
    async publish(name, files) {
      const manifest = [];
      for (const file of files) {
        const sha256 = createHash('sha256').update(file.bytes).digest('hex');
        await transport.putBytes(fleetPaths.rootUpload(options.courierId(), rootId, sha256), file.bytes);
        manifest.push({ path: file.path, sha256 });
      }
      const answer = await transport.request('PUT', fleetPaths.rootApp(options.courierId(), rootId, name), { files: manifest });
      const { appId, version, created } = checkAnswer(rootAppPublished, 'a published app', answer);
      names?.add(name);
      return { appId, version, created };
    },
    async withdraw(name) {
      const answer = await transport.request('DELETE', fleetPaths.rootApp(options.courierId(), rootId, name));
      const { appId } = checkAnswer(rootAppWithdrawn, 'a withdrawn app', answer);
      return appId === null ? undefined : { id: appId };
    },
  };
}
