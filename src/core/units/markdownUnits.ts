/**
 * Policy units of Markdown text (and of plain text, which uses the same block rules without
 * headings). markdown-it finds the blocks; we only take its line maps and compute exact columns
 * ourselves from the source, so inline parsing is switched off entirely: that is most of
 * markdown-it's cost and none of our need.
 */
import MarkdownIt from 'markdown-it';
type MarkdownParser = InstanceType<typeof MarkdownIt>;
type Token = ReturnType<MarkdownParser['parse']>[number];
import type { LineView } from './lineView';
import { findTemplateSpans, isOnlyTemplate, isTemplateSlot, maskSpans, variablesIn, type TemplateSpan } from './templateVars';
import { scanXmlSections, TAG_MASK, type XmlElement, type XmlScan } from './xmlSections';
import type { AgentCollector } from './agentCollector';
import type { PolicyUnit, UnitKind } from './types';
import { isLockedAt } from './locks';


function blockOnly(preset: 'markdown' | 'text'): MarkdownParser {
  const md = new MarkdownIt('default', { html: true });
  md.core.ruler.disable(['inline', 'linkify', 'replacements', 'smartquotes', 'text_join']);
  // Plain-text prompts use `---` between variants and `#` as ordinary characters.
  if (preset === 'text') md.block.ruler.disable(['heading', 'lheading', 'code']);
  return md;
}

const parsers = { markdown: blockOnly('markdown'), text: blockOnly('text') };

/** Sections whose content illustrates rather than instructs. */
const NON_RULE_SECTION = /^(examples?|sample( output| input)?s?|example (output|input|conversation)s?|few[- ]shot|demonstrations?|transcripts?)$/i;
/** First words of a paragraph that introduces the agent rather than constraining it. */
const ROLE_OPENING = /^(you are|you're|you will act as|act as|as an? |your role is|your name is|i am|this agent)/i;
/** Sections that describe who the agent is; their prose is the role, their lists may still be rules. */
const ROLE_SECTION = /^(your )?(role|persona|identity|profile|background)$/i;
const AGENT_HEADING = /^agent\s*[:\-–—]\s*(.+)$/i;
const NO_XML: XmlElement[] = [];
const NO_SPANS: TemplateSpan[] = [];
const TAG_MASK_CODE = TAG_MASK.charCodeAt(0);
const BOLD_ONLY = /^(\*\*|__)([^*_\n][^\n]*?)\1\s*:?$/;

interface PathEntry {
  title: string;
  /** View line where the entry starts (for ordering headings against XML elements). */
  line: number;
  /** Heading level 1–6; 7 for bold pseudo-headings. */
  level: number;
  nonRule: boolean;
}

interface ItemFrame {
  kind: UnitKind;
  firstLine: number;
  lastLine: number;
  pending?: { start: number; end: number };
  label?: PathEntry;
  hasChildList: boolean;
  emittedFirst: boolean;
}

export interface MarkdownOptions {
  view: LineView;
  agents: AgentCollector;
  plainText?: boolean;
  /** Section names that come from outside the view (a YAML key path). */
  basePath?: string[];
  /** Whether `# Agent: x` headings may start new agents (not inside YAML scalars). */
  agentHeadings?: boolean;
}

export function markdownUnits(opts: MarkdownOptions): void {
  const { view, agents } = opts;
  const basePath = opts.basePath ?? [];
  const original = view.lines;
  const joined = original.join('\n');
  const spans = findTemplateSpans(joined);
  const masked = spans.length ? maskSpans(joined, spans).split('\n') : [...original];
  const xml: XmlScan = scanXmlSections(masked);
  const md = opts.plainText ? parsers.text : parsers.markdown;
  // The block parser alone: the core chain around it would only normalise line breaks (the view
  // joins with "\n" already) and strip reference definitions we never look at.
  const tokens: Token[] = [];
  md.block.parse(masked.join('\n'), md, {}, tokens);

  const headings: PathEntry[] = [];
  let label: PathEntry | undefined;
  const items: ItemFrame[] = [];
  /** For each open list: whether it pushed a label onto `headings`. */
  const lists: boolean[] = [];
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
    if (col >= 0 && line.startsWith(contentLine.slice(0, contentEnd), col)) return col;
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
    return { path: [...basePath, ...merged.map((m) => m.title)], nonRule: merged.some((m) => m.nonRule) };
  };

  /** Emits a unit whose text spans view lines [from, to] starting at column `startCol` of `from`. */
  const emit = (kind: UnitKind, from: number, to: number, startCol: number, contentLines: string[] | null, blockFrom: number, blockStartCol: number, extraPath?: PathEntry): void => {
    // Most units are one line: build their text with one slice and no intermediate array.
    let text = '';
    let endCol = 0;
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
      } else {
        while (c < lineEnd && isSpace(o.charCodeAt(c))) c++;
        text += `\n${o.slice(c, lineEnd)}`;
      }
      endCol = lineEnd;
    }
    const spans: TemplateSpan[] = text.includes('{') ? findTemplateSpans(text) : NO_SPANS;
    if (text.length === 0 || (spans.length > 0 && (isOnlyTemplate(text, spans) || isTemplateSlot(text, spans)))) return;
    const { path, nonRule } = sectionPathAt(from, extraPath);
    if (nonRule) return;
    const start = view.position(from, startCol);
    const end = view.position(to, endCol);
    const line = original[from];
    let indentEnd = 0;
    while (indentEnd < startCol && (isSpace(line.charCodeAt(indentEnd)) || line.charCodeAt(indentEnd) === 62 /* > */)) indentEnd++;
    const style: PolicyUnit['style'] = { marker: line.slice(indentEnd, startCol), indent: line.slice(0, indentEnd) };
    if (to > from) style.continuationIndent = /^\s*/.exec(original[from + 1])![0];
    const agent = agents.current();
    agent.units.push({
      agentId: agent.id,
      kind,
      text,
      range: { start, end },
      sectionPath: path,
      vars: spans.length ? variablesIn(text, spans) : [],
      locked: isLockedAt(view.file, start.line),
      style,
      block: { start: view.offset(blockFrom, blockStartCol), end: end.offset },
    });
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
  const pushSingleLine = (kind: UnitKind, line: number, startCol: number, endCol: number, blockCol: number, blockEndCol: number, marker: string, extraPath?: PathEntry): void => {
    const text = original[line].slice(startCol, endCol);
    if (isOnlyTemplate(text)) return;
    const { path, nonRule } = sectionPathAt(line, extraPath);
    if (nonRule) return;
    const start = view.position(line, startCol);
    const agent = agents.current();
    agent.units.push({
      agentId: agent.id,
      kind,
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

  for (let i = 0; i < tokens.length; i++) {
    const t: Token = tokens[i];
    if (t.map) flushInlineXmlBefore(t.map[0]);
    switch (t.type) {
      case 'heading_open': {
        const inline = tokens[i + 1];
        const line = t.map![0];
        const level = Number(t.tag.slice(1));
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
        i += 2;
        break;
      }
      case 'bullet_list_open':
      case 'ordered_list_open': {
        const parent = items[items.length - 1];
        if (parent) {
          parent.hasChildList = true;
          if (parent.pending && !parent.emittedFirst) {
            const p = parent.pending;
            pathVersion++;
            parent.label = { title: stripEmphasis(joinLines(original, p.start, p.end)), line: p.start, level: 9, nonRule: false };
            parent.pending = undefined;
          }
        }
        // A label ("Rules:") right before a top-level list names that list only.
        const labelled = !parent && !!label;
        if (labelled) headings.push(label!);
        lists.push(labelled);
        label = undefined;
        pathVersion++;
        agents.noteContent();
        break;
      }
      case 'bullet_list_close':
      case 'ordered_list_close': {
        if (lists.pop()) headings.pop();
        pathVersion++;
        break;
      }
      case 'list_item_open': {
        const kind: UnitKind = t.markup === '.' || t.markup === ')' ? 'numbered' : 'bullet';
        items.push({ kind, firstLine: t.map![0], lastLine: t.map![1] - 1, hasChildList: false, emittedFirst: false });
        break;
      }
      case 'list_item_close': {
        const f = items.pop()!;
        if (f.label) pathVersion++;
        if (f.pending) emitItem(f);
        break;
      }
      case 'paragraph_open': {
        const inline = tokens[i + 1];
        const [from, toExcl] = t.map!;
        const to = toExcl - 1;
        const frame = items[items.length - 1];
        const contentLines = inline.content.split('\n');
        if (frame && frame.firstLine === from && !frame.pending && !frame.emittedFirst) {
          frame.pending = { start: from, end: to };
          (frame as ItemFrame & { content?: string[] }).content = contentLines;
        } else {
          if (frame?.pending) emitItem(frame);
          handleParagraph(from, to, contentLines, !!frame);
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
      case 'fence':
      case 'code_block':
      case 'html_block':
      case 'hr':
        agents.noteContent();
        label = undefined;
        break;
      default:
        break;
    }
  }
  flushInlineXmlBefore(Number.MAX_SAFE_INTEGER);

  function emitItem(f: ItemFrame): void {
    const p = f.pending!;
    f.pending = undefined;
    f.emittedFirst = true;
    const content = (f as ItemFrame & { content?: string[] }).content ?? [];
    const startCol = contentStart(p.start, content[0] ?? '');
    const itemLine = original[p.start];
    let indentCol = 0;
    while (indentCol < itemLine.length && (isSpace(itemLine.charCodeAt(indentCol)) || itemLine.charCodeAt(indentCol) === 62)) indentCol++;
    // DELETE removes the whole item: its own lines up to the last non-blank one.
    let last = p.end;
    if (!f.hasChildList) {
      last = f.lastLine;
      while (last > p.end && trimmedEnd(masked[last] ?? '') === 0) last--;
    }
    emit(f.kind, p.start, p.end, startCol, content, p.start, indentCol);
    const u = agents.current().units[agents.current().units.length - 1];
    if (u && u.range.start.line === view.fileLines[p.start] && last > p.end) {
      u.block.end = view.offset(last, original[last].trimEnd().length);
    }
  }

  function emitTableRow(line: number, s: number, e: number, lead: number): void {
    pushSingleLine('table-row', line, s, e, lead, original[line].trimEnd().length, original[line].slice(lead, s));
  }

  function handleParagraph(from: number, to: number, contentLines: string[], inItem: boolean): void {
    const text = joinLines(original, from, to).trim();
    const firstContent = agents.noteContent();
    const bold = BOLD_ONLY.exec(text);
    if (!inItem && bold && from === to) {
      pathVersion++;
      while (headings.length && headings[headings.length - 1].level >= 7) headings.pop();
      const title = bold[2].trim().replace(/:$/, '').trim();
      headings.push({ title, line: from, level: 7, nonRule: NON_RULE_SECTION.test(title) });
      label = undefined;
      return;
    }
    if (!inItem && /:\s*$/.test(text) && text.length <= 200 && !/[.!?]\s/.test(text)) {
      // "Instructions:" or "Follow these rules:" introduces what follows; it is not a rule itself.
      label = { title: stripEmphasis(text.replace(/:\s*$/, '')), line: from, level: 9, nonRule: false };
      return;
    }
    label = undefined;
    // A one-line opening such as "You are a careful reviewer." introduces the role; longer openings
    // usually carry rules too, so they stay units.
    if (firstContent && from === to && ROLE_OPENING.test(stripEmphasis(text))) return;
    const innermost = headings[headings.length - 1];
    if (innermost && ROLE_SECTION.test(innermost.title)) return;
    const startCol = contentStart(from, contentLines[0] ?? '');
    const indentCol = /^[\s>]*/.exec(original[from])![0].length;
    const kind: UnitKind = soleXmlParagraph(from, to) ? 'xml' : 'paragraph';
    emit(kind, from, to, startCol, contentLines, from, indentCol);
  }
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
  return lines.slice(from, to + 1).join('\n');
}

function stripEmphasis(text: string): string {
  return text.replace(/^[\s>*_`#-]+|[\s*_`:]+$/g, '').replace(/\*\*|__/g, '').trim();
}
