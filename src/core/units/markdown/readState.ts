/**
 * What the Markdown reader knows while it walks a view's blocks: the section path (headings, bold
 * pseudo-headings, list labels, XML elements), the open lists and items, and the lead-in waiting
 * for the block after it. One state is created per read and handed from block reader to block
 * reader (markdownUnits.ts drives them).
 */
import type { AgentCollector } from '../agentCollector';
import type { BlockToken } from '../blockParser';
import { DESCRIPTIVE_SECTION, FORMAT_SECTION, isExampleLead, isInstructingLead } from '../classify';
import type { LineView } from '../lineView';
import { sentenceSpans } from '../sentences';
import type { UnitKind } from '../types';
import type { XmlElement, XmlScan } from '../xmlSections';
import type { MarkdownOptions } from './options';
import { isSpace, samePath, trimmedEnd } from './textScan';

/** Sections whose content illustrates rather than instructs. */
export const NON_RULE_SECTION = /^(examples?|sample( output| input)?s?|example (output|input|conversation)s?|few[- ]shot|demonstrations?|transcripts?)$/i;
const NO_XML: XmlElement[] = [];

export interface PathEntry {
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
export interface Lead {
  text: string;
  instructs: boolean;
  /** It introduces examples ("Here are some examples:"). */
  examples?: boolean;
}

export interface ItemFrame {
  kind: UnitKind;
  firstLine: number;
  lastLine: number;
  pending?: { start: number; end: number };
  /** The content lines of the pending first paragraph, as markdown-it gives them. */
  content?: string[];
  label?: PathEntry;
  hasChildList: boolean;
  emittedFirst: boolean;
  /** The item's first paragraph introduces a command block inside the item. */
  hasFence?: boolean;
  /** The lead-in its child lists hang off. */
  childLead?: Lead;
}

export interface SectionPath {
  path: string[];
  nonRule: boolean;
}

export interface ReadState {
  readonly opts: MarkdownOptions;
  readonly view: LineView;
  readonly agents: AgentCollector;
  readonly basePath: string[];
  /** The view's lines as written. */
  readonly original: string[];
  /** The same lines with template spans masked (what markdown-it and the XML scan see). */
  readonly masked: string[];
  readonly xml: XmlScan;
  /** The chunk of block tokens being walked (parseInChunks). */
  tokens: BlockToken[];
  readonly headings: PathEntry[];
  /** A label paragraph ("Rules:") just read, naming the list that follows. */
  label: PathEntry | undefined;
  readonly items: ItemFrame[];
  /** For each open list: whether it pushed a label onto `headings`. */
  readonly lists: boolean[];
  /** For each open list: the lead-in its items hang off. */
  readonly listLeads: (Lead | undefined)[];
  /** A lead-in paragraph just read, for the list or command block that follows it. */
  pendingLead: Lead | undefined;
  /** The next inline XML element (xml.inline) not yet emitted. */
  inlineXml: number;
  /** Bumped whenever headings, labels or list frames change, so section paths can be reused. */
  pathVersion: number;
  cachedPath: { version: number; xml: XmlElement[]; result: SectionPath } | undefined;
  lastPath: string[] | undefined;
  sectionCache: { version: number; descriptive: boolean; format: boolean } | undefined;
}

export function createReadState(opts: MarkdownOptions, masked: string[], xml: XmlScan): ReadState {
  return {
    opts,
    view: opts.view,
    agents: opts.agents,
    basePath: opts.basePath ?? [],
    original: opts.view.lines,
    masked,
    xml,
    tokens: [],
    headings: [],
    label: undefined,
    items: [],
    lists: [],
    listLeads: [],
    pendingLead: undefined,
    inlineXml: 0,
    pathVersion: 0,
    cachedPath: undefined,
    lastPath: undefined,
    sectionCache: undefined,
  };
}

/** Column where a content line starts in its view line: the content is a suffix of the line. */
export function contentStart(s: ReadState, viewLine: number, contentLine: string): number {
  const line = s.masked[viewLine];
  const lineEnd = trimmedEnd(line);
  const contentEnd = trimmedEnd(contentLine);
  const col = lineEnd - contentEnd;
  // The content is a suffix of the line (container markers and indentation stripped).
  if (col >= 0 && line.startsWith(contentEnd === contentLine.length ? contentLine : contentLine.slice(0, contentEnd), col)) return col;
  let c = 0;
  while (c < lineEnd && isSpace(line.charCodeAt(c))) c++;
  return c;
}

/** The section path at a view line, with `extra` (an inline XML element's name) at its end. */
export function sectionPathAt(s: ReadState, viewLine: number, extra?: PathEntry): SectionPath {
  const xmlPath: XmlElement[] = s.xml.pathAt[viewLine] ?? NO_XML;
  if (!extra && s.cachedPath && s.cachedPath.version === s.pathVersion && s.cachedPath.xml === xmlPath) return s.cachedPath.result;
  const result = computeSectionPath(s, xmlPath, extra);
  if (!extra) s.cachedPath = { version: s.pathVersion, xml: xmlPath, result };
  return result;
}

function computeSectionPath(s: ReadState, xmlPath: XmlElement[], extra?: PathEntry): SectionPath {
  const { headings } = s;
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
  for (const f of s.items) if (f.label) merged.push(f.label);
  if (extra) merged.push(extra);
  const path = [...s.basePath, ...merged.map((m) => m.title)];
  // The same path as the last one (the next list of a section) is the same array: ids hash a
  // section path once per array (unitId.ts).
  const reused = s.lastPath !== undefined && samePath(s.lastPath, path) ? s.lastPath : (s.lastPath = path);
  return { path: reused, nonRule: merged.some((m) => m.nonRule) };
}

/** The innermost heading, bold pseudo-heading or label around the current line. */
export function innermostTitle(s: ReadState): PathEntry | undefined {
  return s.headings[s.headings.length - 1];
}

/** What the innermost real heading (levels 1-6) announces: description, the reply's format, or neither. */
export function sectionKind(s: ReadState): { descriptive: boolean; format: boolean } {
  if (s.sectionCache?.version === s.pathVersion) return s.sectionCache;
  const kind: NonNullable<ReadState['sectionCache']> = { version: s.pathVersion, descriptive: false, format: false };
  s.sectionCache = kind;
  for (let k = s.headings.length - 1; k >= 0; k--) {
    if (s.headings[k].level <= 6) {
      const title = s.headings[k].title.replace(/\s*\(.*\)\s*$/, '').trim();
      kind.descriptive = DESCRIPTIVE_SECTION.test(title);
      kind.format = FORMAT_SECTION.test(title);
      break;
    }
  }
  return kind;
}

/** The lead-in a block ends with: its last sentence when that ends in ":", else the whole text. */
export function leadOf(text: string): Lead {
  const trimmed = text.trim();
  const pieces = sentenceSpans(trimmed);
  const last = pieces.length > 1 && /:[\s*_]*$/.test(trimmed) ? trimmed.slice(pieces[pieces.length - 1].start) : trimmed;
  return { text: last, instructs: isInstructingLead(last), examples: isExampleLead(last) };
}

/** A lead-in paragraph's own text as the lead of what follows it. */
export function leadOfWhole(text: string): Lead {
  return { text, instructs: isInstructingLead(text), examples: isExampleLead(text) };
}
