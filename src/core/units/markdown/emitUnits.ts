/**
 * Turning a block's lines into units: the text as written (trailing XML tags and spaces left out),
 * split into sentences when it holds several, each classified as a rule (→ the agent's units) or
 * role or context (→ its context), with the range, style and block span that edits need.
 */
import { classifySentence, leadIsRule, type ClassifyOptions, type Verdict } from '../classify';
import { isLockedAt } from '../locks';
import { sentenceSpans, type Span } from '../sentences';
import { findTemplateSpans, isOnlyTemplate, isOnlyTemplateOrSlot, maskSpans, variablesIn, type TemplateSpan } from '../templateVars';
import type { PolicyUnit, Position, RawUnit, UnitKind } from '../types';
import type { LineView } from '../lineView';
import { TAG_MASK } from '../xmlSections';
import { contentStart, sectionKind, sectionPathAt, type Lead, type PathEntry, type ReadState } from './readState';
import { isSpace, trimmedEnd } from './textScan';

const NO_SPANS: TemplateSpan[] = [];
/** The options of every classifySentence call, rewritten per call (it keeps no reference). */
const classifyOptions: ClassifyOptions = {};
/** What `emit` returns when it emits no rule (never written to). */
const NO_UNITS: RawUnit[] = [];
const TAG_MASK_CODE = TAG_MASK.charCodeAt(0);
/** Terminal punctuation followed by a space: the block may hold more than one sentence. */
const SENTENCE_END = /[.!?]["'”’)\]*_`]*\s+\S/;
/** A later line opening with bold ("**IMPORTANT**: …"), which may start a sentence of its own. */
const BOLD_LINE = /\n[ \t>]*(?:\*\*|__)\S/;

export interface EmitOptions {
  /** Split into sentences (default) or keep the block whole. */
  whole?: boolean;
  /** The block is a list item or one line of a plain list: a bare noun phrase there is a rule. */
  listItem?: boolean;
  lead?: Lead;
  /** The block opens the agent's prompt (its role statement, if any, is here). */
  opening?: boolean;
  /** The block's last sentence ends in ":" and introduces a list or a command block. */
  leadAtEnd?: 'list' | 'code';
}

/** Where each line's part of a multi-line text starts: text index → view line and column. */
type Segments = { t: number; line: number; col: number }[];

/** A block's text as written, from column `startCol` of line `from` to line `to`. */
interface BlockText {
  text: string;
  /** The column the text starts at on `from` (masked XML tags skipped). */
  startCol: number;
  /** The column it ends at on `to`. */
  endCol: number;
  segs: Segments | undefined;
}

function blockText(s: ReadState, from: number, to: number, startCol: number, contentLines: string[] | null): BlockText {
  const { masked, original } = s;
  // Most units are one line: build their text with one slice and no intermediate array.
  let text = '';
  let endCol = 0;
  const segs: Segments | undefined = to > from ? [] : undefined;
  for (let l = from; l <= to; l++) {
    const m = masked[l];
    const o = original[l];
    const col = l === from ? startCol : contentLines ? contentStart(s, l, contentLines[l - from] ?? '') : 0;
    let lineEnd = trimmedEnd(m);
    // Trailing XML close tags were masked, not removed: keep them out of the unit.
    while (lineEnd > col && m.charCodeAt(lineEnd - 1) === TAG_MASK_CODE) lineEnd--;
    while (lineEnd > col && isSpace(o.charCodeAt(lineEnd - 1))) lineEnd--;
    let c = col;
    while (m.charCodeAt(c) === TAG_MASK_CODE) c++;
    if (l === from) {
      text = o.slice(c, lineEnd);
      startCol = c;
      segs?.push({ t: 0, line: l, col: c });
    } else {
      while (c < lineEnd && isSpace(o.charCodeAt(c))) c++;
      text += '\n';
      segs!.push({ t: text.length, line: l, col: c });
      text += o.slice(c, lineEnd);
    }
    endCol = lineEnd;
  }
  return { text, startCol, endCol, segs };
}

/**
 * Emits the units of the text on view lines [from, to] starting at column `startCol` of `from`:
 * one per sentence when the block holds several, each classified as a rule (→ `units`) or role
 * or context (→ `context`). Returns the rule units emitted.
 */
export function emit(s: ReadState, kind: UnitKind, from: number, to: number, startCol: number, contentLines: string[] | null, blockFrom: number, blockStartCol: number, extraPath?: PathEntry, eo: EmitOptions = {}): RawUnit[] {
  const { view, original, opts } = s;
  const block = blockText(s, from, to, startCol, contentLines);
  const { text, endCol, segs } = block;
  startCol = block.startCol;
  const spans: TemplateSpan[] = text.includes('{') ? findTemplateSpans(text) : NO_SPANS;
  if (text.length === 0 || isOnlyTemplateOrSlot(text, spans)) return NO_UNITS;
  const { path, nonRule } = sectionPathAt(s, from, extraPath);
  if (nonRule) return NO_UNITS;
  const line = original[from];
  let indentEnd = 0;
  while (indentEnd < startCol && (isSpace(line.charCodeAt(indentEnd)) || line.charCodeAt(indentEnd) === 62 /* > */)) indentEnd++;
  const locked = isLockedAt(view.file, view.fileLines[blockFrom]);
  const agent = s.agents.current();
  // Most blocks are one sentence: look for a sentence end before splitting.
  // The sentences of the block, or none when it is read whole.
  const pieces: Span[] | undefined = eo.whole || !(SENTENCE_END.test(text) || (segs !== undefined && BOLD_LINE.test(text))) ? undefined : sentenceSpans(spans.length ? maskSpans(text, spans) : text);
  const count = pieces ? pieces.length : 1;
  const descriptive = sectionKind(s).descriptive;
  let out: RawUnit[] = NO_UNITS;
  let sawRule = false;
  for (let i = 0; i < count; i++) {
    const pStart = pieces ? pieces[i].start : 0;
    const pEnd = pieces ? pieces[i].end : text.length;
    const single = count === 1 && pStart === 0 && pEnd === text.length;
    const ptext = single ? text : text.slice(pStart, pEnd);
    const pspans = single ? spans : spans.length ? findTemplateSpans(ptext) : NO_SPANS;
    if (!single && isOnlyTemplateOrSlot(ptext, pspans)) continue;
    let verdict: Verdict | 'skip';
    if (opts.setAside) verdict = opts.setAside;
    else if (eo.leadAtEnd && i === count - 1 && /:[\s*_]*$/.test(ptext)) verdict = leadIsRule(ptext, eo.leadAtEnd === 'code') ? 'rule' : 'skip';
    else {
      classifyOptions.opening = eo.opening && !sawRule;
      classifyOptions.listItem = (eo.listItem && i === 0) || opts.specifies;
      classifyOptions.descriptiveSection = descriptive;
      // An item under a reply-format heading specifies the reply, as an instructing lead-in's would.
      classifyOptions.instructingLead = eo.lead?.instructs || opts.specifies || (classifyOptions.listItem && !eo.lead && sectionKind(s).format);
      classifyOptions.exampleLead = eo.lead?.examples;
      verdict = classifySentence(ptext, classifyOptions);
    }
    if (verdict === 'skip') continue;
    if (verdict === 'rule') sawRule = true;
    const whole = single;
    const start = whole ? view.position(from, startCol) : positionIn(view, segs, from, startCol, pStart);
    const end = whole ? view.position(to, endCol) : positionIn(view, segs, from, startCol, pEnd);
    const style: PolicyUnit['style'] = whole ? { marker: line.slice(indentEnd, startCol), indent: line.slice(0, indentEnd) } : { marker: '', indent: line.slice(0, indentEnd) };
    if (end.line > start.line) {
      const next = view.viewLineOf(start.line + 1, viewLineIn(segs, from, pStart) + 1);
      if (next >= 0) style.continuationIndent = /^\s*/.exec(original[next])![0];
    }
    let span: { start: number; end: number };
    if (whole) span = { start: view.offset(blockFrom, blockStartCol), end: end.offset };
    // One sentence of several: DELETE takes it with the space up to the next sentence (or, for
    // the last one, from the end of the sentence before), so the block reads on intact.
    else if (i < count - 1) span = { start: start.offset, end: positionIn(view, segs, from, startCol, pieces![i + 1].start).offset };
    else if (i > 0) span = { start: positionIn(view, segs, from, startCol, pieces![i - 1].end).offset, end: end.offset };
    // The only sentence, yet not the whole text (spaces or masked text around it): just itself.
    else span = { start: start.offset, end: end.offset };
    const unit: RawUnit = {
      agentId: agent.id,
      kind: verdict === 'rule' ? (whole ? kind : 'sentence') : verdict,
      text: ptext,
      range: { start, end },
      sectionPath: path,
      vars: pspans.length ? variablesIn(ptext, pspans) : [],
      locked,
      style,
      block: span,
    };
    if (eo.lead) unit.lead = eo.lead.text;
    // Read as one unit before sentence units: stored runs may name the block's id of then.
    if (!whole) unit.splitFrom = text;
    if (verdict === 'rule') {
      agent.units.push(unit);
      if (out === NO_UNITS) out = [];
      out.push(unit);
    } else {
      agent.context.push(unit);
    }
  }
  return out;
}

/** A unit that is one line of text: an inline XML element, a table row or a command line. */
export function pushSingleLine(s: ReadState, kind: UnitKind, line: number, startCol: number, endCol: number, blockCol: number, blockEndCol: number, marker: string, extraPath?: PathEntry, lead?: Lead): void {
  const { view, original, opts } = s;
  const text = original[line].slice(startCol, endCol);
  if (isOnlyTemplate(text)) return;
  const { path, nonRule } = sectionPathAt(s, line, extraPath);
  if (nonRule) return;
  const start = view.position(line, startCol);
  const agent = s.agents.current();
  (opts.setAside ? agent.context : agent.units).push({
    ...(lead ? { lead: lead.text } : {}),
    agentId: agent.id,
    kind: opts.setAside ?? kind,
    text,
    range: { start, end: view.position(line, endCol) },
    sectionPath: path,
    vars: variablesIn(text),
    locked: isLockedAt(view.file, start.line),
    style: { marker, indent: original[line].slice(0, blockCol) },
    block: { start: view.offset(line, blockCol), end: view.offset(line, blockEndCol) },
  });
}

/** View position of index `t` of a unit's text that starts at (`from`, `startCol`); `segs` maps a multi-line text's lines. */
function positionIn(view: LineView, segs: Segments | undefined, from: number, startCol: number, t: number): Position {
  if (!segs) return view.position(from, startCol + t);
  let k = segs.length - 1;
  while (k > 0 && segs[k].t > t) k--;
  return view.position(segs[k].line, segs[k].col + (t - segs[k].t));
}

/** View line of index `t` of a unit's text that starts on view line `from`. */
function viewLineIn(segs: Segments | undefined, from: number, t: number): number {
  if (!segs) return from;
  let k = segs.length - 1;
  while (k > 0 && segs[k].t > t) k--;
  return segs[k].line;
}
