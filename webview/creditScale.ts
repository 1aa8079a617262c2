/**
 * Credit in [-1, 1] as one of seven steps, each a CSS class whose colour comes from the theme
 * (charts red/green mixed into the background), so the grid reads the same in light, dark and
 * high-contrast themes. Classes, not inline styles: the webview's CSP forbids inline styles.
 */
export const CREDIT_STEPS = 3;

export function creditLevel(score: number | null): number | null {
  if (score === null || !Number.isFinite(score)) return null;
  const clamped = Math.max(-1, Math.min(1, score));
  // Symmetric rounding: -0.5 must be as strong a blame as +0.5 is praise (Math.round is not).
  return Math.sign(clamped) * Math.round(Math.abs(clamped) * CREDIT_STEPS);
}

export function creditClass(score: number | null): string {
  const level = creditLevel(score);
  if (level === null) return 'credit-none';
  if (level === 0) return 'credit-zero';
  return level > 0 ? `credit-pos-${level}` : `credit-neg-${-level}`;
}

/** Words for screen readers and tooltips: the colour alone carries no meaning for them. */
export function creditWords(score: number | null): string {
  if (score === null) return 'no credit recorded';
  const sign = score > 0 ? '+' : '';
  const tone = score >= 0.34 ? 'helped' : score <= -0.34 ? 'hurt' : 'neutral';
  return `credit ${sign}${score.toFixed(2)} (${tone})`;
}
