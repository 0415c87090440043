/** @module Loads what a page shows, again when its key changes or the page asks, with the error when it fails. */
import { useCallback, useEffect, useState } from 'preact/hooks';

export interface Loaded<T> {
  value: T | undefined;
  error: unknown;
  reload(): Promise<void>;
}

/**
 * @example const apps = useLoad(() => request<{ apps: App[] }>('GET', '/apps'), [])
 */
export function useLoad<T>(load: () => Promise<T>, keys: unknown[]): Loaded<T> {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  // The caller names what the load depends on, as with useEffect.
  const reload = useCallback(() => load().then(setValue, setError), keys);
  useEffect(() => {
    setError(undefined);
    void reload();
  }, [reload]);
  return { value, error, reload };
}
