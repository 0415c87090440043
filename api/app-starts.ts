/**
 * @module An app's start in progress on the wire (docs/http-api.md, "Apps, functions, endpoints and secrets"):
 * what the cloud answers in an app's `start` while `POST /apps/:appId/start` runs, and the console and CLI read.
 */
import { z } from 'zod';

/** The steps of a start, in the order they come; a start whose dependencies are already installed passes that one quickly. */
export const START_PHASES = ['waiting for an earlier change', 'writing files', 'installing dependencies', 'warming sandboxes'] as const;
export type StartPhase = (typeof START_PHASES)[number];

/** A start going on: the step it is at and since when (ISO 8601), and when the start was asked for. */
export interface AppStart {
  phase: StartPhase;
  since: string;
  startedAt: string;
}

/** The `start` of an app as a client reads it (the CLI), where the cloud's answer enters: null when none goes on. */
export const appStartField = z.object({
  start: z.object({ phase: z.enum(START_PHASES), since: z.iso.datetime(), startedAt: z.iso.datetime() }).nullable(),
});
