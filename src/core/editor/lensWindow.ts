/**
 * Which lines of a long prompt file get CodeLenses. Every lens handed to the editor costs a trip
 * from the extension host to the workbench and back before any of them shows, and in a file of
 * 2,000 units that trip, not the parse, is most of the wait after an edit. So for long files the
 * provider hands over only the lenses near what the editors show, with a margin wide enough that
 * scrolling stays inside it until the editor has asked again.
 */

/** Lines `first` to `last` of a document, both included, counted from 0. */
export interface LineSpan {
  readonly first: number;
  readonly last: number;
}

export interface LensWindowPolicy {
  /** Files with at most this many units get every lens, as if no window existed. */
  readonly minUnits: number;
  /** Lines above and below each visible range whose lenses are handed over too. */
  readonly marginLines: number;
  /**
   * Ask for lenses again once a visible range comes this close to an edge of the covered lines
   * (an edge that is not the document's own). Half the margin: the editor waits at least a
   * quarter second after our event before it asks, and the other half is what scrolling may
   * eat meanwhile without reaching a line that has no lens.
   */
  readonly refreshWithinLines: number;
}

/**
 * A window of 2·300 lines plus the screen holds about 340 lenses in the generated benchmark
 * prompt (1.9 lines per unit); a file below 500 units is hardly longer than that, so a window
 * would save it little and cost it refreshes while scrolling.
 */
export const LENS_WINDOW_POLICY: LensWindowPolicy = { minUnits: 500, marginLines: 300, refreshWithinLines: 150 };

/**
 * The lines whose lenses to hand over: every visible range widened by `marginLines` each side,
 * clipped to the document, sorted, and merged where they touch (two editors on one file, or
 * one editor with folded regions, give several ranges).
 */
export function lensWindow(visible: readonly LineSpan[], lineCount: number, marginLines: number): LineSpan[] {
  const lastLine = Math.max(0, lineCount - 1);
  const widened = visible
    .map((span) => ({ first: clamp(span.first - marginLines, 0, lastLine), last: clamp(span.last + marginLines, 0, lastLine) }))
    .sort((a, b) => a.first - b.first);
  const merged: LineSpan[] = [];
  for (const span of widened) {
    const previous = merged[merged.length - 1];
    if (previous && span.first <= previous.last + 1) merged[merged.length - 1] = { first: previous.first, last: Math.max(previous.last, span.last) };
    else merged.push(span);
  }
  return merged;
}

/**
 * Whether the covered lines still reach far enough around every visible range: each must lie
 * in one covered span, at least `refreshWithinLines` from that span's edges unless the edge is
 * the document's first or last line. Nothing visible is always covered.
 */
export function windowCoversVisible(covered: readonly LineSpan[], visible: readonly LineSpan[], lineCount: number, refreshWithinLines: number): boolean {
  const lastLine = Math.max(0, lineCount - 1);
  return visible.every((span) =>
    covered.some(
      (window) =>
        window.first <= span.first &&
        span.last <= window.last &&
        (window.first === 0 || span.first - window.first >= refreshWithinLines) &&
        (window.last >= lastLine || window.last - span.last >= refreshWithinLines),
    ),
  );
}

/** Whether a lens on `line` is inside the window. */
export function lineInWindow(window: readonly LineSpan[], line: number): boolean {
  return window.some((span) => span.first <= line && line <= span.last);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
