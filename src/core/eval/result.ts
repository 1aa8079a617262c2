/**
 * Small constructors for results. Scores pass through `clampScore` so that no arithmetic slip
 * (NaN, a ratio over 1) can leak an out-of-range score into credit assignment downstream.
 */
import type { EvalError, EvalErrorKind, EvalResult } from './types';

export function clampScore(score: number): number {
  if (!Number.isFinite(score)) return 0;
  return Math.min(1, Math.max(0, score));
}

export function scored(score: number, success: boolean, details: EvalResult['details']): EvalResult {
  return { score: clampScore(score), success, details };
}

export function binary(pass: boolean, details: EvalResult['details']): EvalResult {
  return { score: pass ? 1 : 0, success: pass, details };
}

/** A result for when the evaluator could not decide; it counts as a failure with score 0. */
export function failed(kind: EvalErrorKind, message: string, details: Record<string, unknown> = {}): EvalResult {
  const error: EvalError = { kind, message };
  return { score: 0, success: false, details: { reason: message, ...details }, error };
}

/** Output is quoted back in details; long outputs are cut so run records stay small. */
export function preview(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
