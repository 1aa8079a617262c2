/** Short human forms of the panel's numbers and labels. */
import type { MistakeLabel, Shift, TaskRow } from '../src/shared/panelProtocol';

export function formatTokens(tokens: number): string {
  if (tokens < 1000) return String(tokens);
  if (tokens < 1_000_000) return `${(tokens / 1000).toFixed(tokens < 10_000 ? 1 : 0)}k`;
  return `${(tokens / 1_000_000).toFixed(1)}M`;
}

export function formatScore(score: number | null): string {
  return score === null ? '–' : score.toFixed(2);
}

export const SHIFT_LABELS: Record<Shift, string> = {
  'pass-pass': '✓→✓',
  'fail-pass': '✗→✓',
  'pass-fail': '✓→✗',
  'fail-fail': '✗→✗',
};

export const SHIFT_WORDS: Record<Shift, string> = {
  'pass-pass': 'passed before and after',
  'fail-pass': 'fixed: failed before, passes after',
  'pass-fail': 'broken: passed before, fails after',
  'fail-fail': 'failed before and after',
};

/** "labelled mistake: WebSurfer at step s12" — a dataset's failure label in words. */
export function mistakeWords(label: MistakeLabel): string {
  const who = label.agentId ?? 'unknown agent';
  return `labelled mistake: ${who}${label.stepId ? ` at step ${label.stepId}` : ''}`;
}

export function formatCost(usd: number): string {
  return usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/**
 * A task's outcome in the list: ✓ / ✗ once scored; – when its trajectory is stored but nothing
 * scored it (an attached trace with no matching task, before a thumbs up or down); … while it runs.
 */
export function outcomeMark(task: Pick<TaskRow, 'outcome' | 'recorded'>): { glyph: string; className: 'pass' | 'fail' | 'unscored' | 'pending'; words: string } {
  if (task.outcome) {
    const passed = task.outcome.success;
    return { glyph: passed ? '✓' : '✗', className: passed ? 'pass' : 'fail', words: `${passed ? 'passed' : 'failed'}, score ${formatScore(task.outcome.score)}` };
  }
  return task.recorded ? { glyph: '–', className: 'unscored', words: 'unscored' } : { glyph: '…', className: 'pending', words: 'not finished' };
}
