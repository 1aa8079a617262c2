/**
 * Paragraphs: an item's first paragraph (held back, see listBlocks.ts), a bold pseudo-heading
 * ("**Output format**"), a label that names or leads the list after it ("Rules:"), or prose, whose
 * sentences are units and whose "Factors to consider:" lines split it into items.
 */
import { leadIsRule } from '../classify';
import type { BlockToken } from '../blockParser';
import type { UnitKind } from '../types';
import { emit } from './emitUnits';
import { emitItem } from './listBlocks';
import { contentStart, leadOf, leadOfWhole, NON_RULE_SECTION, type Lead, type ReadState } from './readState';
import { joinLines, leadingSpaceOrQuote, linesOf, stripEmphasis } from './textScan';

/** Sections that describe who the agent is; their prose is the role, their lists may still be rules. */
const ROLE_SECTION = /^(your )?(role|persona|identity|profile|background)$/i;
const BOLD_ONLY = /^(\*\*|__)([^*_\n][^\n]*?)\1\s*:?$/;

/** Where a paragraph stands and what follows it. */
interface Paragraph {
  from: number;
  to: number;
  /** Its text, trimmed. */
  text: string;
  contentLines: string[];
  startCol: number;
  indentCol: number;
  nextIsCode: boolean;
}

/** Reads the paragraph that opens at token `i`; returns the index of its last token. */
export function readParagraph(s: ReadState, i: number): number {
  const inline = s.tokens[i + 1];
  const [from, toExcl] = s.tokens[i].map!;
  const to = toExcl - 1;
  const frame = s.items[s.items.length - 1];
  const contentLines = linesOf(inline.content);
  if (frame && frame.firstLine === from && !frame.pending && !frame.emittedFirst) {
    frame.pending = { start: from, end: to };
    frame.content = contentLines;
  } else {
    if (frame?.pending) emitItem(s, frame, frame.hasFence ? 'code' : undefined);
    handleParagraph(s, from, to, contentLines, !!frame, s.tokens[i + 3]);
  }
  return i + 2;
}

function handleParagraph(s: ReadState, from: number, to: number, contentLines: string[], inItem: boolean, next?: BlockToken): void {
  const text = joinLines(s.original, from, to).trim();
  const firstContent = s.agents.noteContent();
  // Only text opening with "**" or "__" can be a bold pseudo-heading.
  const c0 = text.charCodeAt(0);
  const bold = (c0 === 42 || c0 === 95) && text.charCodeAt(1) === c0 ? BOLD_ONLY.exec(text) : null;
  const nextIsList = next?.type === 'bullet_list_open' || next?.type === 'ordered_list_open';
  const p: Paragraph = { from, to, text, contentLines, startCol: contentStart(s, from, contentLines[0] ?? ''), indentCol: leadingSpaceOrQuote(s.original[from]), nextIsCode: next?.type === 'fence' };
  s.pendingLead = undefined;
  if (!inItem && bold && from === to) return boldPseudoHeading(s, p, bold[2]);
  if (!inItem && /:\s*$/.test(text) && text.length <= 200 && !/[.!?]\s/.test(text)) return labelParagraph(s, p);
  proseParagraph(s, p, firstContent, nextIsList);
}

/** "**Output format**" alone on its line: a section of its own, and a rule when it instructs. */
function boldPseudoHeading(s: ReadState, p: Paragraph, inner: string): void {
  const { headings } = s;
  s.pathVersion++;
  while (headings.length && headings[headings.length - 1].level >= 7) headings.pop();
  const title = inner.trim().replace(/:$/, '').trim();
  const introduces = /:[\s*_]*$/.test(p.text);
  headings.push({ title, line: p.from, level: 7, nonRule: NON_RULE_SECTION.test(title), lead: p.text });
  s.label = undefined;
  // A bold lead-in that instructs ("**Always run these in this order:**") is a rule as well.
  if (introduces) {
    s.pendingLead = leadOfWhole(p.text);
    if (leadIsRule(p.text, p.nextIsCode)) emit(s, 'paragraph', p.from, p.to, p.startCol, p.contentLines, p.from, p.indentCol, undefined, { whole: true });
  }
}

/**
 * "Instructions:" or "Follow these rules:" introduces what follows; it is a rule itself only when
 * it instructs ("Run it when you change:"), not when it names ("Rules:").
 */
function labelParagraph(s: ReadState, p: Paragraph): void {
  s.label = { title: stripEmphasis(p.text.replace(/:\s*$/, '')), line: p.from, level: 9, nonRule: false };
  s.pendingLead = leadOfWhole(p.text);
  if (leadIsRule(p.text, p.nextIsCode)) emit(s, 'paragraph', p.from, p.to, p.startCol, p.contentLines, p.from, p.indentCol, undefined, { whole: true, lead: undefined });
}

/** Prose: its sentences, or the items its "Factors to consider:" lines introduce. */
function proseParagraph(s: ReadState, p: Paragraph, firstContent: boolean, nextIsList: boolean): void {
  const { from, to, text, contentLines, startCol, indentCol } = p;
  s.label = undefined;
  const innermost = s.headings[s.headings.length - 1];
  // Prose in a "Role" section, and the agent's first paragraph, may hold its role statement.
  const opening = firstContent || (!!innermost && ROLE_SECTION.test(innermost.title));
  const kind: UnitKind = soleXmlParagraph(s, from, to) ? 'xml' : 'paragraph';
  const leadAtEnd = /:[\s*_]*$/.test(text) ? (p.nextIsCode ? 'code' : nextIsList ? 'list' : undefined) : undefined;
  if (leadAtEnd) s.pendingLead = leadOf(text);
  const labels = labelLines(s, from, to);
  if (labels.length === 0) {
    emit(s, kind, from, to, startCol, contentLines, from, indentCol, undefined, { opening, leadAtEnd });
    return;
  }
  // "Factors to consider:" lines inside a paragraph: each following line is an item of its own.
  if (labels[0] > from) emit(s, kind, from, labels[0] - 1, startCol, contentLines, from, indentCol, undefined, { opening });
  let lead: Lead | undefined;
  for (let l = labels[0]; l <= to; l++) {
    const c = l === from ? startCol : contentStart(s, l, contentLines[l - from] ?? '');
    if (labels.includes(l)) {
      emit(s, 'line', l, l, c, null, l, c, undefined, { leadAtEnd: 'list', opening: opening && l === from });
      lead = leadOf(s.original[l].slice(c));
    } else {
      emit(s, 'line', l, l, c, null, l, c, undefined, { listItem: true, lead });
    }
  }
}

/** Lines of a paragraph (not its last) that end in ":" and are followed by a capitalised line. */
function labelLines(s: ReadState, from: number, to: number): number[] {
  const out: number[] = [];
  for (let l = from; l < to; l++) {
    if (/:[\s*_]*$/.test(s.masked[l]) && /^\s*[\p{Lu}\p{N}{"'`*\uE001]/u.test(s.masked[l + 1])) out.push(l);
  }
  return out;
}

/** An XML element whose only content is this paragraph makes the paragraph an `xml` unit. */
function soleXmlParagraph(s: ReadState, from: number, to: number): boolean {
  const path = s.xml.pathAt[from];
  const el = path?.[path.length - 1];
  if (!el || el.openLine >= from || el.closeLine <= to) return false;
  for (let l = el.openLine + 1; l < el.closeLine; l++) {
    if ((l < from || l > to) && s.masked[l].trim()) return false;
  }
  return true;
}
