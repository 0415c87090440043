/** @module Test-invoking a function: a JSON input and optional precomputed results, Run, and what happened: the output or the error with its code, the cache, logs and stats; Run again with that cache. */
import { useId, useState } from 'preact/hooks';
import { invoke } from '../../api.ts';
import { AppFrame } from '../../components/app-frame.tsx';
import { ErrorMessage, onSubmit, useAction } from '../../components/form.tsx';
import type { App, Invocation } from '../../types.ts';

/** The last input run per app and function, kept in this browser, so that Run again needs no retyping. */
const inputKey = (appId: string, fn: string) => `edgecourier.input.${appId}.${fn}`;
const lastInput = (appId: string, fn: string) => localStorage.getItem(inputKey(appId, fn)) ?? '{}';

function parseInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`The input is not valid JSON: ${(error as Error).message}`);
  }
}

/** The optional precomputed results: empty sends none; anything but a JSON object is refused here, before the request. */
function parsePrecomputed(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`Precomputed is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('Precomputed must be a JSON object of results keyed by call key, like {"upper@…": "ADA"}.');
  }
  return value as Record<string, unknown>;
}

const hasEntries = (cache: Record<string, unknown> | undefined): cache is Record<string, unknown> => !!cache && Object.keys(cache).length > 0;

function Result({ result, status }: { result: Invocation; status: number }) {
  return (
    <div class="result">
      {result.error ? (
        <p class="error" role="alert">
          {result.error.code}
          {result.error.functionCode ? ` (${result.error.functionCode})` : ''}: {result.error.message} <span class="muted">HTTP {status}</span>
        </p>
      ) : (
        <section>
          <h3>Output</h3>
          <pre aria-label="Output">{JSON.stringify(result.output, null, 2)}</pre>
        </section>
      )}
      {hasEntries(result.cache) && (
        <section>
          <h3>Cache</h3>
          <pre class="wrap" aria-label="Cache">
            {JSON.stringify(result.cache, null, 2)}
          </pre>
        </section>
      )}
      {result.logs && result.logs.length > 0 && (
        <section>
          <h3>Logs</h3>
          <pre aria-label="Logs">{result.logs.map((line) => `[${line.fn}] ${line.level}: ${line.message}`).join('\n')}</pre>
        </section>
      )}
      {result.stats && (
        <p class="muted" aria-label="Stats">
          {result.stats.durationMs} ms · {result.stats.executed} executed · {result.stats.cacheHits} from the cache · {result.stats.precomputedHits} precomputed
          {result.activationId && ` · activation ${result.activationId}`}
        </p>
      )}
    </div>
  );
}

function RunForm({ app }: { app: App }) {
  const functionId = useId();
  const inputId = useId();
  const precomputedId = useId();
  const [fn, setFn] = useState(app.functions[0]?.name ?? '');
  const [input, setInput] = useState(() => lastInput(app.id, fn));
  const [precomputed, setPrecomputed] = useState('');
  const [answer, setAnswer] = useState<{ result: Invocation; status: number } | undefined>(undefined);
  const choose = (name: string) => {
    setFn(name);
    setInput(lastInput(app.id, name));
  };
  /** Sends the input (and the precomputed results, if any) with `cache`, the last answer's cache when run again with it. */
  const run = useAction(async (cache?: Record<string, unknown>) => {
    setAnswer(undefined);
    const value = parseInput(input);
    const given = parsePrecomputed(precomputed);
    localStorage.setItem(inputKey(app.id, fn), input);
    const envelope = { input: value, ...(cache && { cache }), ...(given && { precomputed: given }) };
    const { status, body } = await invoke<Invocation>(`/apps/${encodeURIComponent(app.id)}/functions/${encodeURIComponent(fn)}/invoke`, envelope);
    setAnswer({ result: body, status });
  });
  if (app.functions.length === 0) return <p class="muted">The app has no functions yet: add one on the Code page.</p>;
  return (
    <form class="card" onSubmit={onSubmit(() => run.run())}>
      <div class="field">
        <label for={functionId}>Function</label>
        <select id={functionId} value={fn} onChange={(e) => choose(e.currentTarget.value)}>
          {app.functions.map((f) => (
            <option key={f.name} value={f.name}>
              {f.name}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={inputId}>Input</label>
        <textarea id={inputId} rows={6} spellcheck={false} class="mono" value={input} onInput={(e) => setInput(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={precomputedId}>Precomputed (JSON)</label>
        <textarea
          id={precomputedId}
          rows={3}
          spellcheck={false}
          class="mono"
          placeholder="Optional: results keyed by call key"
          value={precomputed}
          onInput={(e) => setPrecomputed(e.currentTarget.value)}
        />
      </div>
      <button type="submit" disabled={run.busy}>
        Run
      </button>
      {hasEntries(answer?.result.cache) && (
        <button type="button" disabled={run.busy} onClick={() => void run.run(answer?.result.cache)}>
          Run again with this cache
        </button>
      )}
      {run.busy && (
        <p class="progress" role="status">
          <progress aria-label="Running" /> Running {fn}…
        </p>
      )}
      <ErrorMessage error={run.error} />
      {answer && <Result {...answer} />}
    </form>
  );
}

export function RunPage({ appId }: { appId: string }) {
  return (
    <AppFrame appId={appId} tab="/run">
      {(app) => <RunForm key={app.id} app={app} />}
    </AppFrame>
  );
}
