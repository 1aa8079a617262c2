/**
 * Code: a fenced block of shell commands under a lead-in ("Run the full test suite:") gives one
 * rule per command line; any other code, HTML block or horizontal rule is content but no unit,
 * and ends the lead-in or label before it.
 */
import { pushSingleLine } from './emitUnits';
import { itemOwnText } from './listBlocks';
import { leadOf, type Lead, type ReadState } from './readState';
import { trimmedEnd } from './textScan';

/** Code blocks whose lines are commands to run (a caption above them makes each a rule). */
const COMMAND_FENCE = /^(?:|bash|sh|shell|zsh|fish|console|terminal|powershell|pwsh|ps1|cmd|bat|batch)$/i;

/** The fenced code block at token `i`. */
export function readFence(s: ReadState, i: number): void {
  const t = s.tokens[i];
  // Commands under a lead-in ("Run the full test suite:" + ```bash make tests```) are rules,
  // one per line, each carrying its lead-in.
  const frame = s.items[s.items.length - 1];
  let lead: Lead | undefined;
  if (frame?.pending && !frame.emittedFirst) {
    const own = itemOwnText(s, frame);
    if (/:[\s*_]*$/.test(own)) {
      lead = leadOf(own);
      frame.hasFence = true;
    }
  } else if (!frame || frame.firstLine < t.map![0]) {
    lead = s.pendingLead;
  }
  if (lead && COMMAND_FENCE.test(t.info.trim().split(/\s+/)[0] ?? '')) emitCommandLines(s, t.map![0], t.map![1], lead);
  readOpaqueBlock(s);
}

/** An indented code block, an HTML block or a horizontal rule: content, but nothing to read. */
export function readOpaqueBlock(s: ReadState): void {
  s.agents.noteContent();
  s.label = undefined;
  s.pendingLead = undefined;
}

function emitCommandLines(s: ReadState, open: number, closeExcl: number, lead: Lead): void {
  let last = closeExcl - 1;
  if (last > open && /^\s*(```|~~~)/.test(s.masked[last])) last--;
  for (let l = open + 1; l <= last; l++) {
    const raw = s.original[l];
    const start = raw.length - raw.trimStart().length;
    const end = trimmedEnd(raw);
    if (end <= start) continue;
    const body = raw.slice(start, end);
    // Comments and prompts' sample output are not commands.
    if (/^(#|\/\/|rem\b|::)/i.test(body)) continue;
    pushSingleLine(s, 'line', l, start, end, start, end, '', undefined, lead);
  }
}
