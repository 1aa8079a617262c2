/**
 * Which lines an edit touched, found by comparing the texts before and after (common prefix and
 * suffix) rather than by trusting change events: one comparison covers any number of edits, and a
 * missed event cannot leave a stale parse behind.
 */
import type { LineIndex } from '../lineIndex';

export interface ChangedLines {
  /** First line whose text or line break may differ (same number before and after). */
  firstLine: number;
  /** Last touched line before the edit; every line after it is unchanged, moved by `lineDelta`. */
  oldLastLine: number;
  /** Last touched line after the edit. */
  newLastLine: number;
  lineDelta: number;
  offsetDelta: number;
}

/** The touched lines, or undefined when the texts are equal. */
export function changedLines(before: LineIndex, after: LineIndex): ChangedLines | undefined {
  const a = before.text;
  const b = after.text;
  const shorter = Math.min(a.length, b.length);
  let prefix = 0;
  while (prefix < shorter && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  if (prefix === a.length && a.length === b.length) return undefined;
  let suffix = 0;
  while (suffix < shorter - prefix && a.charCodeAt(a.length - 1 - suffix) === b.charCodeAt(b.length - 1 - suffix)) suffix++;
  const firstLine = before.positionAt(prefix).line;
  const oldLastLine = before.positionAt(a.length - suffix).line;
  const newLastLine = after.positionAt(b.length - suffix).line;
  const lineDelta = newLastLine - oldLastLine;
  const offsetDelta = b.length - a.length;
  // Every line after the touched ones must start where it did, moved by the deltas; a line break
  // split or joined at the edge of the change ("\r" + "\n") would break that, so say so.
  if (after.lineCount - before.lineCount !== lineDelta) throw new Error('changedLines: line counts disagree with the touched range');
  if (oldLastLine + 1 < before.lineCount && after.starts[oldLastLine + 1 + lineDelta] !== before.starts[oldLastLine + 1] + offsetDelta) {
    throw new Error('changedLines: the lines after the change moved unevenly');
  }
  return { firstLine, oldLastLine, newLastLine, lineDelta, offsetDelta };
}
