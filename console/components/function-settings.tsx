/**
 * @module One function's settings (idempotent, timeout, memory, public), those changed in the form saved with PATCH
 * /apps/:appId/functions/:name, which leaves the rest as it is: a code or a setting saved meanwhile elsewhere stays.
 */
import { useState } from 'preact/hooks';
import { request } from '../api.ts';
import { formErrors } from '../field-errors.ts';
import type { FunctionInfo } from '../types.ts';
import { ErrorMessage, Field, onSubmit, useAction, SaveActions } from './form.tsx';

// The checkboxes can only send booleans: the numbers are what the cloud may refuse.
const FIELDS = ['timeoutMs', 'memoryMb'] as const;

/**
 * A number field's text as the cloud is sent it: empty is null (the operator's default), a number that number, and
 * anything else the text itself, so that the cloud, not the browser, says what is wrong with it (JSON would make NaN null).
 */
function numberOf(text: string): number | string | null {
  if (text.trim() === '') return null;
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}

interface Props {
  appId: string;
  fn: FunctionInfo;
  editable: boolean;
  onSaved(): Promise<void>;
}

export function FunctionSettings({ appId, fn, editable, onSaved }: Props) {
  const [idempotent, setIdempotent] = useState(fn.idempotent);
  const [isPublic, setPublic] = useState(fn.public);
  const [timeoutMs, setTimeoutMs] = useState(String(fn.timeoutMs));
  const [memoryMb, setMemoryMb] = useState(String(fn.memoryMb));
  const [saved, setSaved] = useState(false);
  const path = `/apps/${encodeURIComponent(appId)}/functions/${encodeURIComponent(fn.name)}`;
  const save = useAction(async () => {
    setSaved(false);
    // Only what this form changed: a setting changed elsewhere since the page was read stays as it is.
    const shown = { idempotent, public: isPublic, timeoutMs: numberOf(timeoutMs), memoryMb: numberOf(memoryMb) };
    const change = Object.fromEntries(Object.entries(shown).filter(([field, value]) => value !== fn[field as keyof typeof shown]));
    if (Object.keys(change).length > 0) await request('PATCH', path, change);
    await onSaved();
    setSaved(true);
  });
  const errors = formErrors(save.error, FIELDS);
  return (
    <form class="card" aria-label={`Settings of ${fn.name}`} onSubmit={onSubmit(save.run)}>
      <fieldset class="plain" disabled={!editable}>
        <legend>
          <h3>{fn.name}</h3>
        </legend>
        <label class="check">
          <input type="checkbox" checked={idempotent} onChange={(e) => setIdempotent(e.currentTarget.checked)} /> Idempotent: its results are cached
        </label>
        <label class="check">
          <input type="checkbox" checked={isPublic} onChange={(e) => setPublic(e.currentTarget.checked)} /> Public: anyone may download it and send its results
        </label>
        <div class="settings-row">
          <Field
            label="Timeout (ms)"
            inputMode="numeric"
            error={errors.byField.timeoutMs}
            value={timeoutMs}
            onInput={(e) => setTimeoutMs(e.currentTarget.value)}
          />
          <Field label="Memory (MB)" inputMode="numeric" error={errors.byField.memoryMb} value={memoryMb} onInput={(e) => setMemoryMb(e.currentTarget.value)} />
        </div>
        <ErrorMessage error={errors.rest} />
        <SaveActions busy={save.busy} saved={saved} name={`Save ${fn.name}`} />
      </fieldset>
    </form>
  );
}
