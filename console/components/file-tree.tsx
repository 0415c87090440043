/** @module An app's files as a tree of folders, each file a button that opens it. */
import type { AppFile } from '../types.ts';

interface Folder {
  folders: Map<string, Folder>;
  files: string[];
}

/** The folders and files of a list of paths ("functions/hi.js"), in the order given. */
function treeOf(paths: string[]): Folder {
  const root: Folder = { folders: new Map(), files: [] };
  for (const path of paths) {
    const parts = path.split('/');
    let folder = root;
    for (const part of parts.slice(0, -1)) {
      let next = folder.folders.get(part);
      if (!next) folder.folders.set(part, (next = { folders: new Map(), files: [] }));
      folder = next;
    }
    folder.files.push(path);
  }
  return root;
}

interface Props {
  files: AppFile[];
  selected: string | undefined;
  onOpen(path: string): void;
}

function FolderList({ folder, selected, onOpen }: { folder: Folder; selected: string | undefined; onOpen(path: string): void }) {
  return (
    <ul>
      {[...folder.folders].map(([name, inner]) => (
        <li key={`${name}/`}>
          <span class="folder">{name}/</span>
          <FolderList folder={inner} selected={selected} onOpen={onOpen} />
        </li>
      ))}
      {folder.files.map((path) => (
        <li key={path}>
          <button type="button" class="file" aria-label={path} aria-current={path === selected ? 'true' : undefined} onClick={() => onOpen(path)}>
            {path.split('/').pop()}
          </button>
        </li>
      ))}
    </ul>
  );
}

export function FileTree({ files, selected, onOpen }: Props) {
  return (
    <nav class="file-tree" aria-label="Files">
      <FolderList folder={treeOf(files.map((file) => file.path))} selected={selected} onOpen={onOpen} />
    </nav>
  );
}
