/**
 * @module Runs in a worker thread of the harness: keeps function code from signalling the harness's own
 * process (or the container's init, which passes signals on to it) by mistake, which would end every call
 * running in the sandbox, not just its own, and which the host could only report as the sandbox ending.
 * The function's call fails with a message saying why instead. A guard against mistakes, not a boundary:
 * code set on it can still end its own sandbox (a spawned `kill`), and only its own app's calls with it.
 */

/** Replaces `process.kill` and its internal twin for the code of this thread: signals to the function's own children still go through. */
export function guardProcessKill(): void {
  const protectedPids = new Set([process.pid, process.ppid, 1]);
  const refuse = (pid: unknown) => {
    const target = Number(pid);
    // 0 and negative pids name process groups, which include the harness.
    if (!Number.isInteger(target) || target <= 0 || protectedPids.has(target)) {
      throw Object.assign(
        new Error(`process.kill(${String(pid)}) would end the sandbox and every call running in it; a function ends by returning or throwing`),
        { code: 'EPERM' },
      );
    }
  };
  const kill = process.kill.bind(process);
  process.kill = (pid: number, signal?: string | number) => {
    refuse(pid);
    return kill(pid, signal);
  };
  const internal = process as unknown as { _kill?: (pid: number, signal: number) => number };
  const internalKill = internal._kill?.bind(process);
  if (internalKill) {
    internal._kill = (pid: number, signal: number) => {
      refuse(pid);
      return internalKill(pid, signal);
    };
  }
}
