/**
 * @module The limits an operator puts on what functions may ask for, with no schema library behind them: the
 * harness is started with the default memory before the runtime's schemas load (`run --local`).
 */

/** What an operator allows; app.json values above the maxima are refused (limitsWithin in app-config.ts). */
export interface OperatorLimits {
  defaultTimeoutMs: number;
  maxTimeoutMs: number;
  defaultMemoryMb: number;
  maxMemoryMb: number;
}

export const defaultOperatorLimits: OperatorLimits = {
  defaultTimeoutMs: 5000,
  maxTimeoutMs: 60_000,
  defaultMemoryMb: 128,
  maxMemoryMb: 512,
};
