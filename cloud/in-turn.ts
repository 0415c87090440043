/** @module Work on one key at a time: each task runs after the tasks queued before it under the same key, whatever became of them. */

/**
 * Runs `task` after every task queued before it in `queues` under `key`; the queue forgets the key once it is idle.
 * @example await inTurn(queues, app.id, () => writeFolder(app))
 */
export function inTurn<T>(queues: Map<string, Promise<unknown>>, key: string, task: () => Promise<T>): Promise<T> {
  const run = (queues.get(key) ?? Promise.resolve()).then(task);
  const settled = run.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}
