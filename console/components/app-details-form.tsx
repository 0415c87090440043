/** @module An app's name and description, changed with PATCH /apps/:appId; the cloud's refusal shown beside the field it is about. */
import { useId, useState } from 'preact/hooks';
import { request } from '../api.ts';
import { formErrors } from '../field-errors.ts';
import type { App } from '../types.ts';
import { ErrorMessage, Field, onSubmit, useAction, SaveActions } from './form.tsx';

const FIELDS = ['name', 'description'] as const;

export function AppDetailsForm({ app, editable, onSaved }: { app: App; editable: boolean; onSaved(): Promise<void> }) {
  const [name, setName] = useState(app.name);
  const [description, setDescription] = useState(app.description);
  const [saved, setSaved] = useState(false);
  const descriptionId = useId();
  const save = useAction(async () => {
    setSaved(false);
    await request<App>('PATCH', `/apps/${encodeURIComponent(app.id)}`, { name: name.trim(), description });
    await onSaved();
    setSaved(true);
  });
  const errors = formErrors(save.error, FIELDS);
  return (
    <form class="card" aria-label="App details" onSubmit={onSubmit(save.run)}>
      {/* The cloud checks the name's form and says what is wrong with it, beside the field. */}
      <fieldset class="plain" disabled={!editable}>
        <Field
          label="Name"
          required
          maxLength={64}
          hint="Letters, digits, - and _, starting with a letter or digit."
          error={errors.byField.name}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <div class="field">
          <label for={descriptionId}>Description</label>
          <textarea
            id={descriptionId}
            rows={3}
            maxLength={2000}
            aria-invalid={errors.byField.description ? true : undefined}
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
          {errors.byField.description && (
            <p class="error" role="alert">
              {errors.byField.description}
            </p>
          )}
        </div>
        <ErrorMessage error={errors.rest} />
        <SaveActions busy={save.busy} saved={saved} />
      </fieldset>
    </form>
  );
}
