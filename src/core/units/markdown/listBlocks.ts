/**
 * Lists and their items. An item's first paragraph is held back (`pending`) until it is known what
 * follows it inside the item: a child list makes it that list's lead-in, a command block makes it
 * the commands' caption, and the item's own extent decides what DELETE removes.
 */
import { isInstructingLead } from '../classify';
import type { UnitKind } from '../types';
import { emit } from './emitUnits';
import { contentStart, innermostTitle, leadOf, type ItemFrame, type Lead, type ReadState } from './readState';
import { isSpace, joinLines, stripEmphasis, trimmedEnd } from './textScan';

/** A bullet or ordered list opens, inside an item or at the top of a section. */
export function openList(s: ReadState): void {
  const parent = s.items[s.items.length - 1];
  let lead: Lead | undefined;
  if (parent) {
    parent.hasChildList = true;
    if (parent.pending && !parent.emittedFirst) {
      const p = parent.pending;
      const parentText = joinLines(s.original, p.start, p.end);
      const parentOwn = itemOwnText(s, parent);
      // The parent item is a rule when it instructs, and the lead-in of its children.
      emitItem(s, parent, 'list');
      s.pathVersion++;
      parent.label = { title: stripEmphasis(parentText), line: p.start, level: 9, nonRule: false };
      lead = parent.childLead = leadOf(parentOwn);
    } else {
      lead = parent.childLead;
    }
  }
  // A label ("Rules:") right before a top-level list names that list only.
  const labelled = !parent && !!s.label;
  if (labelled) s.headings.push(s.label!);
  s.lists.push(labelled);
  if (!lead) lead = s.pendingLead;
  if (!lead) {
    const bold = innermostTitle(s);
    if (bold?.lead) lead = { text: bold.lead, instructs: isInstructingLead(bold.lead) };
  }
  s.listLeads.push(lead);
  s.label = undefined;
  s.pendingLead = undefined;
  s.pathVersion++;
  s.agents.noteContent();
}

export function closeList(s: ReadState): void {
  if (s.lists.pop()) s.headings.pop();
  s.listLeads.pop();
  s.pathVersion++;
}

export function openItem(s: ReadState, i: number): void {
  const t = s.tokens[i];
  s.pendingLead = undefined;
  const kind: UnitKind = t.markup === '.' || t.markup === ')' ? 'numbered' : 'bullet';
  s.items.push({ kind, firstLine: t.map![0], lastLine: t.map![1] - 1, hasChildList: false, emittedFirst: false });
}

export function closeItem(s: ReadState, i: number): void {
  const f = s.items.pop()!;
  if (f.label) s.pathVersion++;
  if (!f.pending) return;
  // The last item of a list, ending in ":" right before another list or a command block
  // ("* For depth-first queries:" then "- Define …"), is that block's lead-in, as a
  // paragraph there would be.
  const own = !f.hasFence && endsListBeforeBlock(s, i) ? itemOwnText(s, f) : '';
  const introduces = /:[\s*_]*$/.test(own);
  emitItem(s, f, f.hasFence ? 'code' : introduces ? (s.tokens[i + 2].type === 'fence' ? 'code' : 'list') : undefined);
  if (introduces) s.pendingLead = leadOf(own);
}

/** Token `i` closes the last item of a list, and a list or a code block follows that list. */
function endsListBeforeBlock(s: ReadState, i: number): boolean {
  const close = s.tokens[i + 1]?.type;
  const next = s.tokens[i + 2]?.type;
  return (close === 'bullet_list_close' || close === 'ordered_list_close') && (next === 'bullet_list_open' || next === 'ordered_list_open' || next === 'fence');
}

/** An item's first paragraph as written, without its list marker. */
export function itemOwnText(s: ReadState, f: ItemFrame): string {
  const p = f.pending!;
  const content = f.content ?? [];
  const lines = [s.original[p.start].slice(contentStart(s, p.start, content[0] ?? ''))];
  for (let l = p.start + 1; l <= p.end; l++) lines.push(s.original[l].trim());
  return lines.join('\n').trim();
}

/** Emits an item's held-back first paragraph as the item's unit(s). */
export function emitItem(s: ReadState, f: ItemFrame, leadAtEnd?: 'list' | 'code'): void {
  const { original, masked } = s;
  const p = f.pending!;
  f.pending = undefined;
  f.emittedFirst = true;
  const content = f.content ?? [];
  const startCol = contentStart(s, p.start, content[0] ?? '');
  const itemLine = original[p.start];
  let indentCol = 0;
  while (indentCol < itemLine.length && (isSpace(itemLine.charCodeAt(indentCol)) || itemLine.charCodeAt(indentCol) === 62)) indentCol++;
  // DELETE removes the whole item: its own lines up to the last non-blank one (the lines of a
  // child list or a command block are units of their own and stay).
  let last = p.end;
  if (!f.hasChildList && !f.hasFence && !leadAtEnd) {
    last = f.lastLine;
    while (last > p.end && trimmedEnd(masked[last] ?? '') === 0) last--;
  }
  // The lead-in of the list around the item (a heading is a section, not a lead-in).
  const lead = s.listLeads[s.listLeads.length - 1];
  const emitted = emit(s, f.kind, p.start, p.end, startCol, content, p.start, indentCol, undefined, { listItem: true, lead, leadAtEnd });
  const u = emitted.length === 1 ? emitted[0] : undefined;
  if (u && u.kind === f.kind && last > p.end) {
    u.block.end = s.view.offset(last, original[last].trimEnd().length);
  }
}
