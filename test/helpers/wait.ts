/** @module Waiting on a condition in tests: polled, with a deadline that says what never became true. */

/**
 * Resolves once `condition` holds; rejects after `timeoutMs` naming `what`.
 * @example await until(async () => (await api(url, 'GET', '/healthz')).body.queued === 1, { what: 'a call waiting' })
 */
export async function until(condition: () => boolean | Promise<boolean>, options: { timeoutMs?: number; what?: string } = {}): Promise<void> {
  const { timeoutMs = 30_000, what = 'the condition' } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
