/**
 * @module The step each app's pending starts are at, kept in memory only: a start lasts seconds to minutes and means
 * nothing after a restart, so it never touches the database.
 */
import type { AppStart, StartPhase } from '../api/app-starts.ts';

/** One start: told each step it reaches, and ended whatever became of it. */
export interface StartReport {
  to(phase: StartPhase): void;
  end(): void;
}

/**
 * The pending starts of every app, the one asked for first leading: starts of one app run in turn, so it is the one
 * at work and the others wait behind it.
 * @example const report = progress.begin(app.id); try { await start(report.to) } finally { report.end() }
 */
export class StartProgress {
  readonly #pending = new Map<string, AppStart[]>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  begin(appId: string, phase: StartPhase = 'waiting for an earlier change'): StartReport {
    const at = new Date(this.#now()).toISOString();
    const start: AppStart = { phase, since: at, startedAt: at };
    this.#pending.set(appId, [...(this.#pending.get(appId) ?? []), start]);
    return {
      to: (next) => {
        if (start.phase === next) return;
        start.phase = next;
        start.since = new Date(this.#now()).toISOString();
      },
      end: () => {
        const left = (this.#pending.get(appId) ?? []).filter((other) => other !== start);
        if (left.length === 0) this.#pending.delete(appId);
        else this.#pending.set(appId, left);
      },
    };
  }

  /** The app's leading start as the API shows it, a copy; undefined when none is pending. */
  of(appId: string): AppStart | undefined {
    const leading = this.#pending.get(appId)?.[0];
    return leading && { ...leading };
  }
}
