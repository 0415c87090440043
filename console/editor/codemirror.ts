/**
 * @module The code editor: CodeMirror 6 with JavaScript, TypeScript and JSON highlighting. Imported only by
 * components/code-editor.tsx, dynamically, so that it is a chunk of its own fetched when a code page opens.
 */
import { basicSetup, EditorView } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { json } from '@codemirror/lang-json';
import type { Extension } from '@codemirror/state';

/** The language of a file by its extension; other files are edited as plain text. */
function languageOf(path: string): Extension[] {
  if (/\.(js|mjs|cjs)$/.test(path)) return [javascript()];
  if (/\.(ts|mts|cts)$/.test(path)) return [javascript({ typescript: true })];
  if (path.endsWith('.json')) return [json()];
  return [];
}

export interface Editor {
  destroy(): void;
}

/**
 * An editor in `parent` holding `doc`, telling `onChange` each new text; `label` is its accessible name.
 * @example const editor = createEditor(div, 'functions/hi.js', code, 'Code of functions/hi.js', setCode)
 */
export function createEditor(parent: HTMLElement, path: string, doc: string, label: string, onChange: (text: string) => void): Editor {
  const view = new EditorView({
    parent,
    doc,
    extensions: [
      basicSetup,
      ...languageOf(path),
      EditorView.lineWrapping,
      // The page's Content-Security-Policy admits the <style> element the editor writes by this nonce only.
      EditorView.cspNonce.of(document.querySelector<HTMLMetaElement>('meta[name="style-nonce"]')?.content ?? ''),
      EditorView.contentAttributes.of({ 'aria-label': label }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) onChange(update.state.doc.toString());
      }),
    ],
  });
  return { destroy: () => view.destroy() };
}
