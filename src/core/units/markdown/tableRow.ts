/** A table row (not the header): its cells as one line unit, without the outer pipes. */
import { pushSingleLine } from './emitUnits';
import type { ReadState } from './readState';

/** The row that opens at token `i`. */
export function readTableRow(s: ReadState, i: number): void {
  const line = s.tokens[i].map![0];
  if (s.tokens[i - 1]?.type === 'thead_open') return;
  const raw = s.masked[line];
  const lead = raw.length - raw.trimStart().length;
  let start = lead;
  if (raw[start] === '|') start++;
  while (raw[start] === ' ' || raw[start] === '\t') start++;
  let end = raw.trimEnd().length;
  if (raw[end - 1] === '|' && raw[end - 2] !== '\\') end--;
  while (end > start && (raw[end - 1] === ' ' || raw[end - 1] === '\t')) end--;
  if (end > start) pushSingleLine(s, 'table-row', line, start, end, lead, s.original[line].trimEnd().length, s.original[line].slice(lead, start));
  s.agents.noteContent();
}
