/** @module The code editor as a component: CodeMirror's chunk is fetched the first time one is shown. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorMessage } from './form.tsx';

interface Props {
  /** The file's path: it picks the language and names the editor. */
  path: string;
  /** The text the editor opens with; later changes come from the person typing. Give a new `key` to open another text. */
  initial: string;
  onChange(text: string): void;
}

export function CodeEditor({ path, initial, onChange }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [ready, setReady] = useState(false);
  // The latest onChange, without making a new editor each render.
  const changed = useRef(onChange);
  changed.current = onChange;
  useEffect(() => {
    let editor: { destroy(): void } | undefined;
    let gone = false;
    import('../editor/codemirror.ts').then(
      ({ createEditor }) => {
        if (gone || !host.current) return;
        editor = createEditor(host.current, path, initial, `Code of ${path}`, (text) => changed.current(text));
        setReady(true);
      },
      (failure: unknown) => setError(failure),
    );
    return () => {
      gone = true;
      editor?.destroy();
    };
    // One editor for the component's life: the page gives a new key to open another file, or the same one again.
  }, []);
  return (
    <div class="editor">
      {!ready && error === undefined && <p class="muted">Loading the editor…</p>}
      <ErrorMessage error={error} />
      <div ref={host} />
    </div>
  );
}
