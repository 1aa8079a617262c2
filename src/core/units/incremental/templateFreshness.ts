/**
 * Template spans (`{{ … }}`, `{% … %}`) may run over several lines, and markdownUnits finds them in
 * one pass over the whole body. A window of lines is read the same on its own only when no span
 * runs across its first line's start: this tells, for lines of a stretch of the body, whether one
 * does.
 *
 * The pass decides at each `{` by looking at most MAX_TEMPLATE_SPAN characters ahead (or to the end
 * of its line), and restarts cleanly at any line start that no span crosses. So a stretch can be
 * scanned on its own from such a line (`syncLine`), reading far enough past its end.
 */
import type { LineIndex } from '../lineIndex';
import { findTemplateSpans, MAX_TEMPLATE_SPAN } from '../templateVars';

/** How far past a position the pass may look to decide about a span that starts before it. */
export const TEMPLATE_REACH = MAX_TEMPLATE_SPAN + 8;

/**
 * Whether no template span crosses into a line, for lines in (syncLine, toLine + 1]; `syncLine`
 * must be the body's first line or a line start no span crosses. Lines outside count as crossed.
 */
export function templateFreshness(file: LineIndex, syncLine: number, toLine: number): (line: number) => boolean {
  // Offsets count "\r\n" as two characters and the joined text as one: read twice the reach.
  const limit = file.starts[Math.min(toLine + 1, file.lineCount - 1)] + 2 * TEMPLATE_REACH;
  // The text markdownUnits scans: lines joined with "\n", without a byte-order mark.
  const lineStarts: number[] = [];
  const parts: string[] = [];
  let at = 0;
  for (let l = syncLine; l < file.lineCount && (l <= toLine + 1 || file.starts[l] < limit); l++) {
    const text = l === 0 ? file.contentText(0) : file.lineText(l);
    lineStarts.push(at);
    parts.push(text);
    at += text.length + 1;
  }
  const joined = parts.join('\n');
  const known = (line: number) => line > syncLine && line <= toLine + 1 && line - syncLine < lineStarts.length;
  if (joined.indexOf('{') === -1) return (line) => known(line) || line === syncLine;
  // Only spans over several lines can cross a line start.
  const spans = findTemplateSpans(joined).filter((s) => joined.lastIndexOf('\n', s.end - 1) >= s.start);
  return (line: number) => {
    if (!known(line)) return line === syncLine;
    const offset = lineStarts[line - syncLine];
    // Spans are in text order and do not overlap: the last one starting before `offset` decides.
    let lo = 0;
    let hi = spans.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (spans[mid].start < offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found === -1 || spans[found].end <= offset;
  };
}
