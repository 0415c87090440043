/** @module A button that copies a text to the clipboard and says whether it did. */
import { useState } from 'preact/hooks';

/**
 * @example <CopyButton text={token} label="Copy token" />
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [result, setResult] = useState<'copied' | 'failed' | undefined>(undefined);
  const copy = () =>
    navigator.clipboard.writeText(text).then(
      () => setResult('copied'),
      // A browser may refuse (no permission, an insecure origin): the text is on screen to copy by hand.
      () => setResult('failed'),
    );
  return (
    <>
      <button type="button" class="secondary" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" class={result === 'failed' ? 'failed' : 'ok'}>
        {result === 'copied' && 'Copied.'}
        {result === 'failed' && 'The browser did not let the console copy: select the text and copy it yourself.'}
      </span>
    </>
  );
}
