/** @module Which process this is, told apart from a later one with the same pid: how locks and sandboxes name their owner, and how a dead owner is found. */
import { readFileSync } from 'node:fs';

/** Whether a process of this machine is still running. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When a process started, in clock ticks since the machine booted (Linux's /proc/<pid>/stat); undefined when the
 * process is gone or there is no /proc. A pid alone is reused: a courier restarted in its container always gets
 * the same one.
 */
export function processStart(pid: number): string | undefined {
  try {
    // The command name, in parentheses, may hold spaces; the fields after it are plain.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** This process as its sandboxes name their owner: its pid, and its start time where /proc tells it. */
export interface ProcessIdentity {
  pid: number;
  start?: string;
}

export const thisProcess: ProcessIdentity = { pid: process.pid, start: processStart(process.pid) };

/** Whether the process `owner` names still runs, told apart from a later one with its pid by its start time when known. */
export function ownerAlive(owner: ProcessIdentity): boolean {
  if (!processAlive(owner.pid)) return false;
  // A start that cannot be read (/proc mounted with hidepid) proves nothing, so the process counts as alive.
  const start = processStart(owner.pid);
  return owner.start === undefined || start === undefined || start === owner.start;
}
