/**
 * @module Watches the container's memory from inside: memory grown outside the JS heap (Buffers) is not
 * bounded by a worker's heap limit, and a container that nears its cgroup limit first thrashes (the
 * kernel evicts the code pages of node itself) for many seconds before the kernel's OOM killer acts.
 * Ending the workers that run calls just before that keeps the container, and answers them at once.
 */
import { readFileSync } from 'node:fs';

/** Share of the limit at which running calls are stopped. */
const THRESHOLD = 0.9;
const INTERVAL_MS = 50;

/** The container's memory limit in bytes, from cgroup v2 or v1; undefined where there is none to read. */
function cgroupLimit(): number | undefined {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const limit = Number(readFileSync(file, 'utf8').trim());
      // cgroup v1 reports no limit as a number near 2^63.
      if (Number.isFinite(limit) && limit > 0 && limit < 2 ** 50) return limit;
    } catch {
      // Not this cgroup version, or no cgroup file system here.
    }
  }
  return undefined;
}

/**
 * Calls `onExhausted` (with the limit in MB) whenever the process's resident memory passes 90% of the
 * container's limit while `busy()` says calls are running. Does nothing where no limit can be read.
 */
export function guardMemory(busy: () => boolean, onExhausted: (limitMb: number) => void): void {
  const limit = cgroupLimit();
  if (limit === undefined) return;
  setInterval(() => {
    if (busy() && process.memoryUsage.rss() > limit * THRESHOLD) onExhausted(Math.round(limit / 1024 / 1024));
  }, INTERVAL_MS).unref();
}
