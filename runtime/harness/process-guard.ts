/**
 * @module Runs in a worker thread of the harness: keeps function code from signalling the harness's own
 * process, which would end every call running in the sandbox, not just its own, and which the host could
 * only report as the sandbox ending. The function's call fails with a message saying why instead.
 */

/** Replaces `process.kill` for the code of this thread: signals to the function's own children still go through. */
export function guardProcessKill(): void {
  const kill = process.kill.bind(process);
  process.kill = (pid: number, signal?: string | number) => {
    // 0 and negative pids name process groups, which include the harness.
    if (pid === process.pid || pid <= 0) {
      throw Object.assign(new Error(`process.kill(${pid}) would end the sandbox and every call running in it; a function ends by returning or throwing`), { code: 'EPERM' });
    }
    return kill(pid, signal);
  };
}
