/**
 * Protected spans: text between `<DONT_CHANGE>` and `</DONT_CHANGE>`, the markers the GBC authors'
 * code (AgentChord) puts around the parts of a prompt its optimizer must hand back untouched (a
 * slot schema, a fixed output format). TRUCE reads them as a lock on every unit inside: no MODIFY
 * or DELETE of such a unit, no ADD that would land inside the span.
 *
 * The tags are matched as the authors match them: exact and case-sensitive, anywhere in the text
 * (usually alone on a line), an opening tag paired with the next closing tag. Unlike their code,
 * an opening tag that is never closed protects everything after it — the safe reading of a
 * half-marked prompt — and is reported, as is a closing tag with nothing open.
 */
import type { LineIndex } from './lineIndex';
import type { ParseError } from './types';

export const PROTECT_OPEN = '<DONT_CHANGE>';
export const PROTECT_CLOSE = '</DONT_CHANGE>';

export interface ProtectedSpan {
  /** Offset of the opening tag's `<`. */
  start: number;
  /** Offset just past the closing tag (the end of the text when it is never closed). */
  end: number;
  /** 0-based lines of the two tags (the last line when never closed). */
  openLine: number;
  closeLine: number;
  /** False for an opening tag never closed: the span runs to the end of the file, the end included. */
  closed: boolean;
}

export interface ProtectedSpanScan {
  spans: ProtectedSpan[];
  errors: ParseError[];
}

export function findProtectedSpans(file: LineIndex): ProtectedSpanScan {
  const text = file.text;
  const spans: ProtectedSpan[] = [];
  const errors: ParseError[] = [];
  // Fast path: almost no prompt has the marker.
  if (!text.includes('DONT_CHANGE>')) return { spans, errors };
  let at = 0;
  for (;;) {
    const open = text.indexOf(PROTECT_OPEN, at);
    const close = text.indexOf(PROTECT_CLOSE, at);
    if (close !== -1 && (open === -1 || close < open)) {
      const p = file.positionAt(close);
      errors.push({ message: `${PROTECT_CLOSE} without an opening ${PROTECT_OPEN} before it; it protects nothing. Add ${PROTECT_OPEN} where the protected text starts, or remove the tag.`, line: p.line, character: p.character });
      at = close + PROTECT_CLOSE.length;
      continue;
    }
    if (open === -1) break;
    const openPos = file.positionAt(open);
    const closeAt = text.indexOf(PROTECT_CLOSE, open + PROTECT_OPEN.length);
    if (closeAt === -1) {
      errors.push({
        message: `${PROTECT_OPEN} is never closed, so TRUCE treats everything after it as protected. Add ${PROTECT_CLOSE} where the protected text ends.`,
        line: openPos.line,
        character: openPos.character,
      });
      spans.push({ start: open, end: text.length, openLine: openPos.line, closeLine: file.positionAt(text.length).line, closed: false });
      break;
    }
    const end = closeAt + PROTECT_CLOSE.length;
    spans.push({ start: open, end, openLine: openPos.line, closeLine: file.positionAt(closeAt).line, closed: true });
    at = end;
  }
  return { spans, errors };
}

/** The span that holds [start, end) in part, if any (spans are sorted and disjoint). */
export function protectedSpanOver(spans: readonly ProtectedSpan[], start: number, end: number): ProtectedSpan | undefined {
  return spans.find((s) => start < s.end && Math.max(end, start + 1) > s.start);
}

/** The span an insertion at `offset` would land inside (strictly between its tags), if any. */
export function protectedSpanAt(spans: readonly ProtectedSpan[], offset: number): ProtectedSpan | undefined {
  return spans.find((s) => offset > s.start && (offset < s.end || (!s.closed && offset === s.end)));
}
