/**
 * @module The OneDrive items under the synced folder, by id. Graph delta items carry their parent's id but no path
 * (a renamed folder does not even list its children again), so paths are rebuilt here from the ids.
 */
import { z } from 'zod';
import type { RemoteEntry } from '../backend.ts';

/** The driveItem fields the back end reads; Graph sends many more. */
export const driveItemSchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  eTag: z.string().optional(),
  cTag: z.string().optional(),
  size: z.number().optional(),
  parentReference: z.object({ id: z.string().optional() }).optional(),
  file: z.object({}).optional(),
  folder: z.object({}).optional(),
  deleted: z.object({}).optional(),
});
export type DriveItem = z.infer<typeof driveItemSchema>;

/**
 * The item's revision. The eTag, not the cTag: OneDrive for Business leaves cTag out of delta items, and the
 * revision a delta reports must match the one an upload returned for the same version.
 */
export const revOf = (item: DriveItem): string => item.eTag ?? item.cTag ?? '';

interface Node {
  name: string;
  parentId: string;
  kind: 'file' | 'folder';
  rev: string;
  size: number;
}

/** Folders nest far less deeply than this; a deeper chain can only be a cycle in bad data. */
const maxDepth = 1000;

export class ItemTree {
  readonly #rootId: string;
  readonly #nodes = new Map<string, Node>();

  /** `rootId` is the synced folder's id: its children have paths of one segment. */
  constructor(rootId: string) {
    this.#rootId = rootId;
  }

  /**
   * Applies one complete delta round (all of its pages: Graph says a round is consistent only once its last
   * page is in) and returns the changes in paths relative to the root: removals first, then what is new or
   * changed, including everything below a folder that moved.
   */
  apply(items: DriveItem[]): RemoteEntry[] {
    if (items.length === 0) return [];
    const before = this.#paths();
    const touched = new Set<string>();
    for (const item of items) {
      this.#applyItem(item);
      touched.add(item.id);
    }
    const after = this.#paths();
    // A node whose chain no longer reaches the root lost an ancestor: it went with it.
    for (const id of this.#nodes.keys()) if (!after.has(id)) this.#nodes.delete(id);
    const removed = [...before]
      .filter(([id, { path }]) => after.get(id)?.path !== path)
      .map(([, { path }]): RemoteEntry => ({ path, kind: 'deleted', rev: '', size: 0 }));
    const changed = [...after]
      .filter(([id, { path }]) => touched.has(id) || before.get(id)?.path !== path)
      .map(([, { path, node }]): RemoteEntry => ({ path, kind: node.kind, rev: node.rev, size: node.size }));
    return [...removed, ...changed];
  }

  #applyItem(item: DriveItem): void {
    if (item.id === this.#rootId) return;
    if (item.deleted) {
      this.#nodes.delete(item.id);
      return;
    }
    const kind = item.file ? 'file' : item.folder ? 'folder' : undefined;
    const parentId = item.parentReference?.id;
    // Neither file nor folder (a OneNote package, say), or nowhere to place it: not part of the mirror.
    if (!kind || !parentId || !item.name) {
      this.#nodes.delete(item.id);
      return;
    }
    const isFile = kind === 'file';
    this.#nodes.set(item.id, { name: item.name, parentId, kind, rev: isFile ? revOf(item) : '', size: isFile ? (item.size ?? 0) : 0 });
  }

  /** Every node whose chain of parents reaches the root, with its path. */
  #paths(): Map<string, { path: string; node: Node }> {
    const placed = new Map<string, { path: string; node: Node }>();
    const pathOf = (id: string, depth: number): string | undefined => {
      if (id === this.#rootId) return '';
      const known = placed.get(id);
      if (known) return known.path;
      const node = this.#nodes.get(id);
      const parent = node && depth < maxDepth ? pathOf(node.parentId, depth + 1) : undefined;
      if (node === undefined || parent === undefined) return undefined;
      const path = parent === '' ? node.name : `${parent}/${node.name}`;
      placed.set(id, { path, node });
      return path;
    };
    for (const id of this.#nodes.keys()) pathOf(id, 0);
    return placed;
  }
}
