/** @module A traced call as a profile sample: the one place every trigger turns what the invoker told it into what profiles count. */
import type { CallTrace } from './call-trace.ts';
import type { ProfilePlace, ProfileSample } from './profiles.ts';

/**
 * The sample of one call of a tree, or undefined for a call that never reached a version (no such function, an app
 * that did not load): there is no version to count it against.
 * @example service.invoke(load, request, { onCall: (trace) => { const s = sampleOf(trace, 'courier'); if (s) book.record(s); } })
 */
export function sampleOf(trace: CallTrace, place: ProfilePlace): ProfileSample | undefined {
  if (trace.version === undefined) return undefined;
  return {
    function: trace.fn,
    version: trace.version,
    place,
    outcome: trace.error?.code ?? 'ok',
    ...(trace.source && { source: trace.source }),
    durationMs: trace.durationMs,
    ...(trace.coldStartMs !== undefined && { coldStartMs: trace.coldStartMs }),
    ...(trace.peakMemoryBytes !== undefined && { peakMemoryBytes: trace.peakMemoryBytes }),
    ...(trace.inputBytes !== undefined && { inputBytes: trace.inputBytes }),
    ...(trace.outputBytes !== undefined && { outputBytes: trace.outputBytes }),
    at: trace.startedAt + Math.round(trace.durationMs),
  };
}
