/** @module An app's code: its files in a tree, the one opened in the code editor, Save, and new files. */
import { useState } from 'preact/hooks';
import { fileText, request } from '../../api.ts';
import { AppFrame } from '../../components/app-frame.tsx';
import { CodeEditor } from '../../components/code-editor.tsx';
import { FileTree } from '../../components/file-tree.tsx';
import { ErrorMessage, Field, onSubmit, useAction } from '../../components/form.tsx';
import { useLoad } from '../../components/use-load.ts';
import type { App, AppFile } from '../../types.ts';

/** What a new function file starts with: the contract of docs/functions.md, ready to run. */
const NEW_FUNCTION = 'export default async function (input, ctx) {\n  return { received: input };\n}\n';
/** What a new package.json starts with: the cloud refuses an empty one, and installs what "dependencies" names. */
const NEW_PACKAGE_JSON = '{\n  "dependencies": {}\n}\n';

/** A new file's first text, by its path. */
const starterOf = (path: string) => (path.startsWith('functions/') ? NEW_FUNCTION : path === 'package.json' ? NEW_PACKAGE_JSON : '');

/** The file open in the editor: its text as loaded and as edited. */
interface Open {
  path: string;
  initial: string;
  text: string;
  /** Not saved yet at all: made with "Add file". */
  isNew: boolean;
  /** Counts each opening, so that opening a file again gets a fresh editor even when its text is the same. */
  opening: number;
}

function NewFileForm({ onAdd }: { onAdd(path: string): void }) {
  const [path, setPath] = useState('functions/');
  return (
    <form class="new-file" onSubmit={onSubmit(() => onAdd(path.trim()))}>
      <Field
        label="New file path"
        required
        maxLength={256}
        hint="A function is functions/<name>.js or .ts; package.json names the dependencies."
        value={path}
        onInput={(e) => setPath(e.currentTarget.value)}
      />
      <button type="submit" class="secondary">
        Add file
      </button>
    </form>
  );
}

function CodeWorkspace({ app, reloadApp }: { app: App; reloadApp(): Promise<void> }) {
  const base = `/apps/${encodeURIComponent(app.id)}`;
  const files = useLoad(() => request<{ files: AppFile[] }>('GET', `${base}/files`), [app.id]);
  const [open, setOpen] = useState<Open | undefined>(undefined);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const load = useAction(async (path: string) => {
    const text = await fileText(app.id, path);
    setSaved(undefined);
    setOpen((now) => ({ path, initial: text, text, isNew: false, opening: (now?.opening ?? 0) + 1 }));
  });
  const save = useAction(async () => {
    if (!open) return;
    setSaved(undefined);
    await request('PUT', `${base}/files/${encodeURIComponent(open.path)}`, { raw: open.text });
    setOpen((now) => now && { ...now, isNew: false });
    setSaved(`Saved ${open.path}.`);
    await Promise.all([files.reload(), reloadApp()]);
  });
  const add = (path: string) => {
    setSaved(undefined);
    const text = starterOf(path);
    setOpen((now) => ({ path, initial: text, text, isNew: true, opening: (now?.opening ?? 0) + 1 }));
  };
  const list = files.value?.files ?? [];
  return (
    <div class="code-page">
      <aside>
        <ErrorMessage error={files.error} />
        <FileTree
          files={open?.isNew ? [...list, { path: open.path, size: 0, sha256: '' }] : list}
          selected={open?.path}
          onOpen={(path) => void load.run(path)}
        />
        <NewFileForm onAdd={add} />
      </aside>
      <div class="code-main">
        <ErrorMessage error={load.error} />
        {open ? (
          <>
            <div class="title-row">
              <h2>{open.path}</h2>
              <button type="button" disabled={save.busy} onClick={() => void save.run()}>
                Save
              </button>
            </div>
            <CodeEditor key={open.opening} path={open.path} initial={open.initial} onChange={(text) => setOpen((now) => now && { ...now, text })} />
            <ErrorMessage error={save.error} />
            {saved && (
              <p class="ok" role="status">
                {saved}
              </p>
            )}
          </>
        ) : (
          <p class="muted">Open a file from the list, or add one.</p>
        )}
      </div>
    </div>
  );
}

export function CodePage({ appId }: { appId: string }) {
  return (
    <AppFrame appId={appId} tab="/code">
      {(app, reload) => <CodeWorkspace app={app} reloadApp={reload} />}
    </AppFrame>
  );
}
