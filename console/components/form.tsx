/** @module Form parts every page uses: a labelled field, the error of the last try, and an action that knows when it is busy. */
import type { JSX } from 'preact';
import { useId, useState } from 'preact/hooks';
import { describeError } from '../api.ts';

type InputProps = JSX.InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string; error?: string };

/** An input with its visible label and, when given, a hint and the cloud's refusal of its value, both read out with it. */
export function Field({ label, hint, error, ...input }: InputProps) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} aria-describedby={described || undefined} aria-invalid={error ? true : undefined} {...input} />
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** What went wrong, announced to screen readers as it appears. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (error === undefined) return null;
  return (
    <p class="error" role="alert">
      {describeError(error)}
    </p>
  );
}

/**
 * Runs one action at a time: `busy` while it runs, `error` when it failed (cleared by the next try).
 * @example const save = useAction(() => request('PUT', path, body)); <button disabled={save.busy} onClick={save.run}>Save</button>
 */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (...args: A): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await action(...args);
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** A form's submit handler that runs `action` without the browser's own submission. */
export const onSubmit = (action: () => unknown) => (event: SubmitEvent) => {
  event.preventDefault();
  void action();
};

/** A form's Save button and, once it saved, "Saved." beside it; `name` tells forms apart when a page has several. */
export function SaveActions({ busy, saved, name }: { busy: boolean; saved: boolean; name?: string }) {
  return (
    <div class="actions">
      <button type="submit" disabled={busy} aria-label={name}>
        Save
      </button>
      {saved && (
        <span class="ok" role="status">
          Saved.
        </span>
      )}
    </div>
  );
}
