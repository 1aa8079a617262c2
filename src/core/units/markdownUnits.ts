/**
 * Policy units of Markdown text (and of plain text, which uses the same block rules without
 * headings). markdown-it finds the blocks; we only take its line maps and compute exact columns
 * ourselves from the source, so inline parsing is switched off entirely: that is most of
 * markdown-it's cost and none of our need.
 */
import { blockOnlyParser, parseInChunks, type BlockToken as Token } from './blockParser';
import type { LineView } from './lineView';
import { findTemplateSpans, isOnlyTemplate, isOnlyTemplateOrSlot, maskLines, maskSpans, variablesIn, type TemplateSpan } from './templateVars';
import { scanXmlSections, TAG_MASK, type XmlElement, type XmlScan } from './xmlSections';
import type { AgentCollector } from './agentCollector';
import type { PolicyUnit, Position, RawUnit, SetAsideKind, UnitKind } from './types';
import { isLockedAt } from './locks';
import { sentenceSpans, type Span } from './sentences';
import { classifySentence, DESCRIPTIVE_SECTION, FORMAT_SECTION, isExampleLead, isInstructingLead, leadIsRule, type ClassifyOptions, type Verdict } from './classify';

const parsers = { markdown: blockOnlyParser('markdown'), text: blockOnlyParser('text') };

/** Sections whose content illustrates rather than instructs. */
const NON_RULE_SECTION = /^(examples?|sample( output| input)?s?|example (output|input|conversation)s?|few[- ]shot|demonstrations?|transcripts?)$/i;
/** Sections that describe who the agent is; their prose is the role, their lists may still be rules. */
const ROLE_SECTION = /^(your )?(role|persona|identity|profile|background)$/i;
const AGENT_HEADING = /^agent\s*[:\-–—]\s*(.+)$/i;
const NO_XML: XmlElement[] = [];
const NO_SPANS: TemplateSpan[] = [];
/** The options of every classifySentence call, rewritten per call (it keeps no reference). */
const classifyOptions: ClassifyOptions = {};
/** What `emit` returns when it emits no rule (never written to). */
const NO_UNITS: RawUnit[] = [];
const TAG_MASK_CODE = TAG_MASK.charCodeAt(0);
const BOLD_ONLY = /^(\*\*|__)([^*_\n][^\n]*?)\1\s*:?$/;

interface PathEntry {
  title: string;
  /** View line where the entry starts (for ordering headings against XML elements). */
  line: number;
  /** Heading level 1–6; 7 for bold pseudo-headings. */
  level: number;
  nonRule: boolean;
  /** A bold pseudo-heading as written, when it leads what follows ("**Only apply to X**"). */
  lead?: string;
}

/** The lead-in a block's units hang off: its text as written, and whether it instructs. */
interface Lead {
  text: string;
  instructs: boolean;
  /** It introduces examples ("Here are some examples:"). */
  examples?: boolean;
}

interface EmitOptions {
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

interface ItemFrame {
  kind: UnitKind;
  firstLine: number;
  lastLine: number;
  pending?: { start: number; end: number };
  label?: PathEntry;
  hasChildList: boolean;
  emittedFirst: boolean;
  /** The item's first paragraph introduces a command block inside the item. */
  hasFence?: boolean;
  /** The lead-in its child lists hang off. */
  childLead?: Lead;
}

/** Terminal punctuation followed by a space: the block may hold more than one sentence. */
const SENTENCE_END = /[.!?]["'”’)\]*_`]*\s+\S/;
/** A later line opening with bold ("**IMPORTANT**: …"), which may start a sentence of its own. */
const BOLD_LINE = /\n[ \t>]*(?:\*\*|__)\S/;

/** Code blocks whose lines are commands to run (a caption above them makes each a rule). */
const COMMAND_FENCE = /^(?:|bash|sh|shell|zsh|fish|console|terminal|powershell|pwsh|ps1|cmd|bat|batch)$/i;

export interface MarkdownOptions {
  view: LineView;
  agents: AgentCollector;
  plainText?: boolean;
  /** Section names that come from outside the view (a YAML key path). */
  basePath?: string[];
  /** Whether `# Agent: x` headings may start new agents (not inside YAML scalars). */
  agentHeadings?: boolean;
  /** Everything read here is set aside as this kind (a CrewAI `role` field). */
  setAside?: SetAsideKind;
  /** The text specifies what to produce (a task's `expected_output`): its noun phrases are rules. */
  specifies?: boolean;
  /** Told of every heading as it is reached, for incremental re-parsing (incremental/). */
  observer?: MarkdownObserver;
}

/** What incremental re-parsing needs to know of a walk: where the headings are. */
export interface MarkdownObserver {
  /**
   * A heading on view line `viewLine` is about to be read (everything above it has been emitted):
   * `level` 1–6, `nested` when it sits inside a list or a quote, `xmlDepth` the XML elements open
   * around it.
   */
  heading(viewLine: number, level: number, nested: boolean, xmlDepth: number): void;
}

export function markdownUnits(opts: MarkdownOptions): void {
  const { view, agents } = opts;
  const basePath = opts.basePath ?? [];
  const original = view.lines;
  const joined = view.text();
  const masked = maskLines(original, findTemplateSpans(joined));
  const xml: XmlScan = scanXmlSections(masked);
  const md = opts.plainText ? parsers.text : parsers.markdown;
  // The block parser alone: the core chain around it would only normalise line breaks (the view
  // joins with "\n" already) and strip reference definitions we never look at.
  const source = joinChangedLines(joined, original, masked);
  /** The chunk of block tokens being walked (parseInChunks). */
  let tokens: Token[] = [];

  const headings: PathEntry[] = [];
  let label: PathEntry | undefined;
  const items: ItemFrame[] = [];
  /** For each open list: whether it pushed a label onto `headings`. */
  const lists: boolean[] = [];
  /** For each open list: the lead-in its items hang off. */
  const listLeads: (Lead | undefined)[] = [];
  /** A lead-in paragraph just read, for the list or command block that follows it. */
  let pendingLead: Lead | undefined;
  let inlineXml = 0;
  /** Bumped whenever headings, labels or list frames change, so section paths can be reused. */
  let pathVersion = 0;
  let cachedPath: { version: number; xml: XmlElement[]; result: { path: string[]; nonRule: boolean } } | undefined;

  /** Column where a content line starts in its view line: the content is a suffix of the line. */
  const contentStart = (viewLine: number, contentLine: string): number => {
    const line = masked[viewLine];
    const lineEnd = trimmedEnd(line);
    const contentEnd = trimmedEnd(contentLine);
    const col = lineEnd - contentEnd;
    // The content is a suffix of the line (container markers and indentation stripped).
    if (col >= 0 && line.startsWith(contentEnd === contentLine.length ? contentLine : contentLine.slice(0, contentEnd), col)) return col;
    let c = 0;
    while (c < lineEnd && isSpace(line.charCodeAt(c))) c++;
    return c;
  };

  const sectionPathAt = (viewLine: number, extra?: PathEntry): { path: string[]; nonRule: boolean } => {
    const xmlPath: XmlElement[] = xml.pathAt[viewLine] ?? NO_XML;
    if (!extra && cachedPath && cachedPath.version === pathVersion && cachedPath.xml === xmlPath) return cachedPath.result;
    const result = computeSectionPath(xmlPath, extra);
    if (!extra) cachedPath = { version: pathVersion, xml: xmlPath, result };
    return result;
  };

  const computeSectionPath = (xmlPath: XmlElement[], extra?: PathEntry): { path: string[]; nonRule: boolean } => {
    const merged: { title: string; line: number; nonRule: boolean }[] = [];
    let h = 0;
    let x = 0;
    while (h < headings.length || x < xmlPath.length) {
      if (x >= xmlPath.length || (h < headings.length && headings[h].line <= xmlPath[x].openLine)) {
        merged.push(headings[h++]);
      } else {
        const el = xmlPath[x++];
        merged.push({ title: el.name, line: el.openLine, nonRule: NON_RULE_SECTION.test(el.name.replace(/_/g, ' ')) });
      }
    }
    for (const f of items) if (f.label) merged.push(f.label);
    if (extra) merged.push(extra);
    const path = [...basePath, ...merged.map((m) => m.title)];
    // The same path as the last one (the next list of a section) is the same array: ids hash a
    // section path once per array (unitId.ts).
    const reused = lastPath !== undefined && samePath(lastPath, path) ? lastPath : (lastPath = path);
    return { path: reused, nonRule: merged.some((m) => m.nonRule) };
  };
  let lastPath: string[] | undefined;

  /** The innermost heading, bold pseudo-heading or label around the current line. */
  const innermostTitle = (): PathEntry | undefined => headings[headings.length - 1];

  /** What the innermost real heading (levels 1-6) announces: description, the reply's format, or neither. */
  let sectionCache: { version: number; descriptive: boolean; format: boolean } | undefined;
  const sectionKind = (): { descriptive: boolean; format: boolean } => {
    if (sectionCache?.version === pathVersion) return sectionCache;
    sectionCache = { version: pathVersion, descriptive: false, format: false };
    for (let k = headings.length - 1; k >= 0; k--) {
      if (headings[k].level <= 6) {
        const title = headings[k].title.replace(/\s*\(.*\)\s*$/, '').trim();
        sectionCache.descriptive = DESCRIPTIVE_SECTION.test(title);
        sectionCache.format = FORMAT_SECTION.test(title);
        break;
      }
    }
    return sectionCache;
  };
  const descriptiveSection = (): boolean => sectionKind().descriptive;

  /**
   * Emits the units of the text on view lines [from, to] starting at column `startCol` of `from`:
   * one per sentence when the block holds several, each classified as a rule (→ `units`) or role
   * or context (→ `context`). Returns the rule units emitted.
   */
  const emit = (kind: UnitKind, from: number, to: number, startCol: number, contentLines: string[] | null, blockFrom: number, blockStartCol: number, extraPath?: PathEntry, eo: EmitOptions = {}): RawUnit[] => {
    // Most units are one line: build their text with one slice and no intermediate array.
    let text = '';
    let endCol = 0;
    /** Where each line's part of `text` starts (multi-line blocks only): text index → view line and column. */
    const segs: { t: number; line: number; col: number }[] | undefined = to > from ? [] : undefined;
    for (let l = from; l <= to; l++) {
      const m = masked[l];
      const o = original[l];
      const col = l === from ? startCol : contentLines ? contentStart(l, contentLines[l - from] ?? '') : 0;
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
    const spans: TemplateSpan[] = text.includes('{') ? findTemplateSpans(text) : NO_SPANS;
    if (text.length === 0 || isOnlyTemplateOrSlot(text, spans)) return NO_UNITS;
    const { path, nonRule } = sectionPathAt(from, extraPath);
    if (nonRule) return NO_UNITS;
    const line = original[from];
    let indentEnd = 0;
    while (indentEnd < startCol && (isSpace(line.charCodeAt(indentEnd)) || line.charCodeAt(indentEnd) === 62 /* > */)) indentEnd++;
    const locked = isLockedAt(view.file, view.fileLines[blockFrom]);
    const agent = agents.current();
    // Most blocks are one sentence: look for a sentence end before splitting.
    // The sentences of the block, or none when it is read whole.
    const pieces: Span[] | undefined = eo.whole || !(SENTENCE_END.test(text) || (segs !== undefined && BOLD_LINE.test(text))) ? undefined : sentenceSpans(spans.length ? maskSpans(text, spans) : text);
    const count = pieces ? pieces.length : 1;
    const descriptive = descriptiveSection();
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
        classifyOptions.instructingLead = eo.lead?.instructs || opts.specifies || (classifyOptions.listItem && !eo.lead && sectionKind().format);
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
      let block: { start: number; end: number };
      if (whole) block = { start: view.offset(blockFrom, blockStartCol), end: end.offset };
      // One sentence of several: DELETE takes it with the space up to the next sentence (or, for
      // the last one, from the end of the sentence before), so the block reads on intact.
      else if (i < count - 1) block = { start: start.offset, end: positionIn(view, segs, from, startCol, pieces![i + 1].start).offset };
      else if (i > 0) block = { start: positionIn(view, segs, from, startCol, pieces![i - 1].end).offset, end: end.offset };
      // The only sentence, yet not the whole text (spaces or masked text around it): just itself.
      else block = { start: start.offset, end: end.offset };
      const unit: RawUnit = {
        agentId: agent.id,
        kind: verdict === 'rule' ? (whole ? kind : 'sentence') : verdict,
        text: ptext,
        range: { start, end },
        sectionPath: path,
        vars: pspans.length ? variablesIn(ptext, pspans) : [],
        locked,
        style,
        block,
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
  };

  const flushInlineXmlBefore = (viewLine: number) => {
    while (inlineXml < xml.inline.length && xml.inline[inlineXml].line < viewLine) {
      const el = xml.inline[inlineXml++];
      const title = { title: el.name, line: el.line, level: 8, nonRule: false };
      const lineText = original[el.line];
      const indentEnd = lineText.length - lineText.trimStart().length;
      emitXmlInline(el.line, el.start, el.end, indentEnd, title);
    }
  };

  const emitXmlInline = (line: number, startCol: number, endCol: number, blockCol: number, title: PathEntry) =>
    pushSingleLine('xml', line, startCol, endCol, blockCol, original[line].length, '', title);

  /** A unit that is one line of text: an inline XML element or a table row. */
  const pushSingleLine = (kind: UnitKind, line: number, startCol: number, endCol: number, blockCol: number, blockEndCol: number, marker: string, extraPath?: PathEntry, lead?: Lead): void => {
    const text = original[line].slice(startCol, endCol);
    if (isOnlyTemplate(text)) return;
    const { path, nonRule } = sectionPathAt(line, extraPath);
    if (nonRule) return;
    const start = view.position(line, startCol);
    const agent = agents.current();
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
  };

  /** An XML element whose only content is this paragraph makes the paragraph an `xml` unit. */
  const soleXmlParagraph = (from: number, to: number): boolean => {
    const path = xml.pathAt[from];
    const el = path?.[path.length - 1];
    if (!el || el.openLine >= from || el.closeLine <= to) return false;
    for (let l = el.openLine + 1; l < el.closeLine; l++) {
      if ((l < from || l > to) && masked[l].trim()) return false;
    }
    return true;
  };

  parseInChunks(md, source, masked, (chunk) => {
    tokens = chunk;
    walk();
  });
  flushInlineXmlBefore(Number.MAX_SAFE_INTEGER);

  function walk(): void {
  for (let i = 0; i < tokens.length; i++) {
    const t: Token = tokens[i];
    if (t.map && inlineXml < xml.inline.length) flushInlineXmlBefore(t.map[0]);
    switch (t.type) {
      case 'heading_open': {
        const inline = tokens[i + 1];
        const line = t.map![0];
        const level = Number(t.tag.slice(1));
        opts.observer?.heading(line, level, t.level > 0, xml.pathAt[line]?.length ?? 0);
        const title = headingTitle(original, masked, t, inline.content);
        pathVersion++;
        while (headings.length && headings[headings.length - 1].level >= level) headings.pop();
        const agentMatch = opts.agentHeadings !== false ? AGENT_HEADING.exec(title) : null;
        if (agentMatch) {
          headings.length = 0;
          agents.startAgent(agentMatch[1].trim(), view.offset(line, 0), level);
        } else {
          // A heading at or above an agent heading's level ends that agent's part of the file.
          if (agents.headingLevel() !== undefined && level <= agents.headingLevel()!) agents.endHeadingAgent(view.offset(line, 0));
          headings.push({ title, line, level, nonRule: NON_RULE_SECTION.test(title) });
        }
        label = undefined;
        pendingLead = undefined;
        i += 2;
        break;
      }
      case 'bullet_list_open':
      case 'ordered_list_open': {
        const parent = items[items.length - 1];
        let lead: Lead | undefined;
        if (parent) {
          parent.hasChildList = true;
          if (parent.pending && !parent.emittedFirst) {
            const p = parent.pending;
            const parentText = joinLines(original, p.start, p.end);
            const parentOwn = itemOwnText(parent);
            // The parent item is a rule when it instructs, and the lead-in of its children.
            emitItem(parent, 'list');
            pathVersion++;
            parent.label = { title: stripEmphasis(parentText), line: p.start, level: 9, nonRule: false };
            lead = parent.childLead = leadOf(parentOwn);
          } else {
            lead = parent.childLead;
          }
        }
        // A label ("Rules:") right before a top-level list names that list only.
        const labelled = !parent && !!label;
        if (labelled) headings.push(label!);
        lists.push(labelled);
        if (!lead) lead = pendingLead;
        if (!lead) {
          const bold = innermostTitle();
          if (bold?.lead) lead = { text: bold.lead, instructs: isInstructingLead(bold.lead) };
        }
        listLeads.push(lead);
        label = undefined;
        pendingLead = undefined;
        pathVersion++;
        agents.noteContent();
        break;
      }
      case 'bullet_list_close':
      case 'ordered_list_close': {
        if (lists.pop()) headings.pop();
        listLeads.pop();
        pathVersion++;
        break;
      }
      case 'list_item_open': {
        pendingLead = undefined;
        const kind: UnitKind = t.markup === '.' || t.markup === ')' ? 'numbered' : 'bullet';
        items.push({ kind, firstLine: t.map![0], lastLine: t.map![1] - 1, hasChildList: false, emittedFirst: false });
        break;
      }
      case 'list_item_close': {
        const f = items.pop()!;
        if (f.label) pathVersion++;
        if (f.pending) {
          // The last item of a list, ending in ":" right before another list or a command block
          // ("* For depth-first queries:" then "- Define …"), is that block's lead-in, as a
          // paragraph there would be.
          const own = !f.hasFence && endsListBeforeBlock(i) ? itemOwnText(f) : '';
          const introduces = /:[\s*_]*$/.test(own);
          emitItem(f, f.hasFence ? 'code' : introduces ? (tokens[i + 2].type === 'fence' ? 'code' : 'list') : undefined);
          if (introduces) pendingLead = leadOf(own);
        }
        break;
      }
      case 'paragraph_open': {
        const inline = tokens[i + 1];
        const [from, toExcl] = t.map!;
        const to = toExcl - 1;
        const frame = items[items.length - 1];
        const contentLines = linesOf(inline.content);
        if (frame && frame.firstLine === from && !frame.pending && !frame.emittedFirst) {
          frame.pending = { start: from, end: to };
          (frame as ItemFrame & { content?: string[] }).content = contentLines;
        } else {
          if (frame?.pending) emitItem(frame, frame.hasFence ? 'code' : undefined);
          handleParagraph(from, to, contentLines, !!frame, tokens[i + 3]);
        }
        i += 2;
        break;
      }
      case 'tr_open': {
        const line = t.map![0];
        if (tokens[i - 1]?.type === 'thead_open') break;
        const raw = masked[line];
        const lead = raw.length - raw.trimStart().length;
        let s = lead;
        if (raw[s] === '|') s++;
        while (raw[s] === ' ' || raw[s] === '\t') s++;
        let e = raw.trimEnd().length;
        if (raw[e - 1] === '|' && raw[e - 2] !== '\\') e--;
        while (e > s && (raw[e - 1] === ' ' || raw[e - 1] === '\t')) e--;
        if (e > s) emitTableRow(line, s, e, lead);
        agents.noteContent();
        break;
      }
      case 'fence': {
        // Commands under a lead-in ("Run the full test suite:" + ```bash make tests```) are rules,
        // one per line, each carrying its lead-in.
        const frame = items[items.length - 1];
        let lead: Lead | undefined;
        if (frame?.pending && !frame.emittedFirst) {
          const own = itemOwnText(frame);
          if (/:[\s*_]*$/.test(own)) {
            lead = leadOf(own);
            frame.hasFence = true;
          }
        } else if (!frame || frame.firstLine < t.map![0]) {
          lead = pendingLead;
        }
        if (lead && COMMAND_FENCE.test(t.info.trim().split(/\s+/)[0] ?? '')) emitCommandLines(t.map![0], t.map![1], lead);
        agents.noteContent();
        label = undefined;
        pendingLead = undefined;
        break;
      }
      case 'code_block':
      case 'html_block':
      case 'hr':
        agents.noteContent();
        label = undefined;
        pendingLead = undefined;
        break;
      default:
        break;
    }
  }
  }

  /** Token `i` closes the last item of a list, and a list or a code block follows that list. */
  function endsListBeforeBlock(i: number): boolean {
    const close = tokens[i + 1]?.type;
    const next = tokens[i + 2]?.type;
    return (close === 'bullet_list_close' || close === 'ordered_list_close') && (next === 'bullet_list_open' || next === 'ordered_list_open' || next === 'fence');
  }

  /** An item's first paragraph as written, without its list marker. */
  function itemOwnText(f: ItemFrame): string {
    const p = f.pending!;
    const content = (f as ItemFrame & { content?: string[] }).content ?? [];
    const lines = [original[p.start].slice(contentStart(p.start, content[0] ?? ''))];
    for (let l = p.start + 1; l <= p.end; l++) lines.push(original[l].trim());
    return lines.join('\n').trim();
  }

  /** The lead-in a block ends with: its last sentence when that ends in ":", else the whole text. */
  function leadOf(text: string): Lead {
    const trimmed = text.trim();
    const pieces = sentenceSpans(trimmed);
    const last = pieces.length > 1 && /:[\s*_]*$/.test(trimmed) ? trimmed.slice(pieces[pieces.length - 1].start) : trimmed;
    return { text: last, instructs: isInstructingLead(last), examples: isExampleLead(last) };
  }

  /** The lead-in of the list around the current item (a heading is a section, not a lead-in). */
  function itemLead(): Lead | undefined {
    return listLeads[listLeads.length - 1];
  }

  function emitCommandLines(open: number, closeExcl: number, lead: Lead): void {
    let last = closeExcl - 1;
    if (last > open && /^\s*(```|~~~)/.test(masked[last])) last--;
    for (let l = open + 1; l <= last; l++) {
      const raw = original[l];
      const s = raw.length - raw.trimStart().length;
      const e = trimmedEnd(raw);
      if (e <= s) continue;
      const body = raw.slice(s, e);
      // Comments and prompts' sample output are not commands.
      if (/^(#|\/\/|rem\b|::)/i.test(body)) continue;
      pushSingleLine('line', l, s, e, s, e, '', undefined, lead);
    }
  }

  function emitItem(f: ItemFrame, leadAtEnd?: 'list' | 'code'): void {
    const p = f.pending!;
    f.pending = undefined;
    f.emittedFirst = true;
    const content = (f as ItemFrame & { content?: string[] }).content ?? [];
    const startCol = contentStart(p.start, content[0] ?? '');
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
    const lead = itemLead();
    const emitted = emit(f.kind, p.start, p.end, startCol, content, p.start, indentCol, undefined, { listItem: true, lead, leadAtEnd });
    const u = emitted.length === 1 ? emitted[0] : undefined;
    if (u && u.kind === f.kind && last > p.end) {
      u.block.end = view.offset(last, original[last].trimEnd().length);
    }
  }

  function emitTableRow(line: number, s: number, e: number, lead: number): void {
    pushSingleLine('table-row', line, s, e, lead, original[line].trimEnd().length, original[line].slice(lead, s));
  }

  function handleParagraph(from: number, to: number, contentLines: string[], inItem: boolean, next?: Token): void {
    const text = joinLines(original, from, to).trim();
    const firstContent = agents.noteContent();
    // Only text opening with "**" or "__" can be a bold pseudo-heading.
    const c0 = text.charCodeAt(0);
    const bold = (c0 === 42 || c0 === 95) && text.charCodeAt(1) === c0 ? BOLD_ONLY.exec(text) : null;
    const nextIsCode = next?.type === 'fence';
    const nextIsList = next?.type === 'bullet_list_open' || next?.type === 'ordered_list_open';
    const startCol = contentStart(from, contentLines[0] ?? '');
    const indentCol = leadingSpaceOrQuote(original[from]);
    pendingLead = undefined;
    if (!inItem && bold && from === to) {
      pathVersion++;
      while (headings.length && headings[headings.length - 1].level >= 7) headings.pop();
      const title = bold[2].trim().replace(/:$/, '').trim();
      const introduces = /:[\s*_]*$/.test(text);
      headings.push({ title, line: from, level: 7, nonRule: NON_RULE_SECTION.test(title), lead: text });
      label = undefined;
      // A bold lead-in that instructs ("**Always run these in this order:**") is a rule as well.
      if (introduces) {
        pendingLead = { text, instructs: isInstructingLead(text), examples: isExampleLead(text) };
        if (leadIsRule(text, nextIsCode)) emit('paragraph', from, to, startCol, contentLines, from, indentCol, undefined, { whole: true });
      }
      return;
    }
    if (!inItem && /:\s*$/.test(text) && text.length <= 200 && !/[.!?]\s/.test(text)) {
      // "Instructions:" or "Follow these rules:" introduces what follows; it is a rule itself only
      // when it instructs ("Run it when you change:"), not when it names ("Rules:").
      label = { title: stripEmphasis(text.replace(/:\s*$/, '')), line: from, level: 9, nonRule: false };
      pendingLead = { text, instructs: isInstructingLead(text), examples: isExampleLead(text) };
      if (leadIsRule(text, nextIsCode)) emit('paragraph', from, to, startCol, contentLines, from, indentCol, undefined, { whole: true, lead: undefined });
      return;
    }
    label = undefined;
    const innermost = headings[headings.length - 1];
    // Prose in a "Role" section, and the agent's first paragraph, may hold its role statement.
    const opening = firstContent || (!!innermost && ROLE_SECTION.test(innermost.title));
    const kind: UnitKind = soleXmlParagraph(from, to) ? 'xml' : 'paragraph';
    const leadAtEnd = /:[\s*_]*$/.test(text) ? (nextIsCode ? 'code' : nextIsList ? 'list' : undefined) : undefined;
    if (leadAtEnd) pendingLead = leadOf(text);
    const labels = labelLines(from, to);
    if (labels.length === 0) {
      emit(kind, from, to, startCol, contentLines, from, indentCol, undefined, { opening, leadAtEnd });
      return;
    }
    // "Factors to consider:" lines inside a paragraph: each following line is an item of its own.
    if (labels[0] > from) emit(kind, from, labels[0] - 1, startCol, contentLines, from, indentCol, undefined, { opening });
    let lead: Lead | undefined;
    for (let l = labels[0]; l <= to; l++) {
      const c = l === from ? startCol : contentStart(l, contentLines[l - from] ?? '');
      if (labels.includes(l)) {
        emit('line', l, l, c, null, l, c, undefined, { leadAtEnd: 'list', opening: opening && l === from });
        lead = leadOf(original[l].slice(c));
      } else {
        emit('line', l, l, c, null, l, c, undefined, { listItem: true, lead });
      }
    }
  }

  /** Lines of a paragraph (not its last) that end in ":" and are followed by a capitalised line. */
  function labelLines(from: number, to: number): number[] {
    const out: number[] = [];
    for (let l = from; l < to; l++) {
      if (/:[\s*_]*$/.test(masked[l]) && /^\s*[\p{Lu}\p{N}{"'`*\uE001]/u.test(masked[l + 1])) out.push(l);
    }
    return out;
  }
}

/**
 * `lines.join("\n")`, where `lines` is `base` split at "\n" (`baseLines`) with some lines
 * rewritten: the unchanged stretches are copied from `base` as one slice each.
 */
function joinChangedLines(base: string, baseLines: readonly string[], lines: readonly string[]): string {
  let parts: string[] | undefined;
  let runStart = 0;
  let offset = 0;
  for (let l = 0; l < lines.length; l++) {
    const was = baseLines[l];
    if (lines[l] !== was) {
      parts ??= [];
      parts.push(base.slice(runStart, offset), lines[l]);
      runStart = offset + was.length;
    }
    offset += was.length + 1;
  }
  if (!parts) return base;
  parts.push(base.slice(runStart));
  return parts.join('');
}

/** View position of index `t` of a unit's text that starts at (`from`, `startCol`); `segs` maps a multi-line text's lines. */
function positionIn(view: LineView, segs: { t: number; line: number; col: number }[] | undefined, from: number, startCol: number, t: number): Position {
  if (!segs) return view.position(from, startCol + t);
  let k = segs.length - 1;
  while (k > 0 && segs[k].t > t) k--;
  return view.position(segs[k].line, segs[k].col + (t - segs[k].t));
}

/** View line of index `t` of a unit's text that starts on view line `from`. */
function viewLineIn(segs: { t: number; line: number }[] | undefined, from: number, t: number): number {
  if (!segs) return from;
  let k = segs.length - 1;
  while (k > 0 && segs[k].t > t) k--;
  return segs[k].line;
}

/** `text.split("\n")`, without the split call for the one-line text most blocks are. */
function linesOf(text: string): string[] {
  return text.indexOf('\n') === -1 ? [text] : text.split('\n');
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/** Length of `s` without trailing spaces/tabs, without allocating. */
function trimmedEnd(s: string): number {
  let e = s.length;
  while (e > 0 && (isSpace(s.charCodeAt(e - 1)) || s.charCodeAt(e - 1) === 13)) e--;
  return e;
}

function headingTitle(original: string[], masked: string[], open: Token, content: string): string {
  const line = open.map![0];
  if (open.markup.startsWith('#')) {
    const col = masked[line].indexOf(content, masked[line].indexOf('#') + open.markup.length);
    if (col >= 0 && content) return stripEmphasis(original[line].slice(col, col + content.length).trim());
  }
  return stripEmphasis(content.trim());
}

function joinLines(lines: string[], from: number, to: number): string {
  return from === to ? lines[from] : lines.slice(from, to + 1).join('\n');
}

/** How many whitespace and ">" characters `line` opens with (what a `^[\s>]*` match covers). */
function leadingSpaceOrQuote(line: string): number {
  let c = 0;
  while (c < line.length) {
    const code = line.charCodeAt(c);
    if (code === 32 || code === 62 /* > */ || (code >= 9 && code <= 13) || (code > 127 && /\s/.test(line[c]))) c++;
    else break;
  }
  return c;
}

function stripEmphasis(text: string): string {
  return text.replace(/^[\s>*_`#-]+|[\s*_`:]+$/g, '').replace(/\*\*|__/g, '').trim();
}
