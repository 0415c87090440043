/** @module The Graph emulator's in-memory OneDrive: items by id, each stamped with the change sequence number of its last change, so that delta can answer "what changed since". */

export interface EmulatedItem {
  id: string;
  name: string;
  /** Undefined only for the drive's root. */
  parentId: string | undefined;
  kind: 'file' | 'folder';
  content: Buffer;
  /** Bumped on every change of the item or (for a folder) of anything below it: the eTag's version. */
  version: number;
  /** The change sequence number of the last change. */
  seq: number;
  deleted: boolean;
  modified: string;
}

/** A file or folder stood in the way of a write, as Graph's 409 nameAlreadyExists. */
export class DriveConflict extends Error {}

export class EmulatedDrive {
  readonly #items = new Map<string, EmulatedItem>();
  readonly root: EmulatedItem;
  #seq = 0;
  #nextId = 1;

  constructor() {
    this.root = this.#create('root', undefined, 'folder');
  }

  /** The latest change sequence number: a delta round started now covers changes up to it. */
  get seq(): number {
    return this.#seq;
  }

  item(id: string): EmulatedItem | undefined {
    const item = this.#items.get(id);
    return item && !item.deleted ? item : undefined;
  }

  /** The live item at a path relative to the drive's root ('' is the root). */
  find(path: string): EmulatedItem | undefined {
    let current: EmulatedItem | undefined = this.root;
    for (const name of segments(path)) current = current && this.#child(current.id, name);
    return current;
  }

  /** Creates or replaces a file, creating the folders on its way; `replace: false` fails on an existing file. */
  writeFile(path: string, content: Buffer, replace = true): { item: EmulatedItem; created: boolean } {
    const names = segments(path);
    const fileName = names.pop();
    if (fileName === undefined) throw new DriveConflict('the root is a folder');
    const created: EmulatedItem[] = [];
    let parent = this.root;
    for (const name of names) {
      const existing = this.#child(parent.id, name);
      if (existing?.kind === 'file') throw new DriveConflict(`${name} is a file`);
      parent = existing ?? this.#create(name, parent.id, 'folder');
      if (!existing) created.push(parent);
    }
    const existing = this.#child(parent.id, fileName);
    if (existing && (existing.kind === 'folder' || !replace)) throw new DriveConflict(`${fileName} exists`);
    const item = existing ?? this.#create(fileName, parent.id, 'file');
    item.content = content;
    this.#bump([...created, item]);
    return { item, created: existing === undefined };
  }

  /** Makes folder `name` in the folder at `parentPath`: undefined when there is no such parent; DriveConflict when the name is taken. */
  makeFolder(parentPath: string, name: string): EmulatedItem | undefined {
    const parent = this.find(parentPath);
    if (parent?.kind !== 'folder') return undefined;
    if (this.#child(parent.id, name)) throw new DriveConflict(`${name} exists`);
    const folder = this.#create(name, parent.id, 'folder');
    this.#bump([folder]);
    return folder;
  }

  /** Deletes an item and everything below it; false when nothing is there. */
  remove(path: string): boolean {
    const item = this.find(path);
    if (!item || item === this.root) return false;
    const gone = [...this.#items.values()].filter((other) => !other.deleted && this.within(other, item.id));
    for (const other of gone) other.deleted = true;
    this.#bump(gone);
    return true;
  }

  childCount(id: string): number {
    return [...this.#items.values()].filter((item) => !item.deleted && item.parentId === id).length;
  }

  /** Graph's parentReference.path of an item's parent: '/drive/root:' then the folders. */
  parentPath(item: EmulatedItem): string {
    const names: string[] = [];
    for (let at = this.#parent(item); at && at !== this.root; at = this.#parent(at)) names.unshift(at.name);
    return ['/drive/root:', ...names].join('/');
  }

  /** Items at or below `folderId` changed after `since` (all live ones when 0), parents before children. */
  changesBelow(folderId: string, since: number): EmulatedItem[] {
    const changed = [...this.#items.values()].filter((item) => item.seq > since && (since > 0 || !item.deleted) && this.within(item, folderId));
    return changed.sort((a, b) => this.#depth(a) - this.#depth(b) || a.seq - b.seq);
  }

  /** Whether `item` is `folderId` or below it (tombstones still know their parents). */
  within(item: EmulatedItem, folderId: string): boolean {
    for (let at: EmulatedItem | undefined = item; at; at = this.#parent(at)) {
      if (at.id === folderId) return true;
    }
    return false;
  }

  #child(parentId: string, name: string): EmulatedItem | undefined {
    const lower = name.toLowerCase();
    // OneDrive names are case-insensitive.
    return [...this.#items.values()].find((item) => !item.deleted && item.parentId === parentId && item.name.toLowerCase() === lower);
  }

  #create(name: string, parentId: string | undefined, kind: EmulatedItem['kind']): EmulatedItem {
    const item: EmulatedItem = {
      id: `EMU!${this.#nextId++}`,
      name,
      parentId,
      kind,
      content: Buffer.alloc(0),
      version: 0,
      seq: 0,
      deleted: false,
      modified: '',
    };
    this.#items.set(item.id, item);
    return item;
  }

  /** Stamps the items and all their ancestors with a new sequence number, as Graph's delta lists the parents of a change too. */
  #bump(items: EmulatedItem[]): void {
    const seq = ++this.#seq;
    const modified = new Date().toISOString();
    const stamped = new Set<EmulatedItem>();
    for (const item of items) {
      for (let at: EmulatedItem | undefined = item; at && !stamped.has(at); at = this.#parent(at)) {
        Object.assign(at, { seq, modified, version: at.version + 1 });
        stamped.add(at);
      }
    }
  }

  #parent(item: EmulatedItem): EmulatedItem | undefined {
    return item.parentId === undefined ? undefined : this.#items.get(item.parentId);
  }

  #depth(item: EmulatedItem): number {
    let depth = 0;
    for (let at = this.#parent(item); at; at = this.#parent(at)) depth++;
    return depth;
  }
}

function segments(path: string): string[] {
  return path.split('/').filter((name) => name !== '');
}
