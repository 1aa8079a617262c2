/**
 * A tolerant scanner for XML-style tags in prompts (`<instructions>…</instructions>`), as
 * Anthropic-style prompts use them. It is not an XML parser: tags are recognised only at the
 * start or end of a line, unbalanced tags are tolerated, and everything between tags is Markdown.
 *
 * It rewrites the masked view lines so the Markdown parser never sees the tags: a line holding
 * only a tag becomes blank (tags separate blocks), and a tag that shares its line with text is
 * overwritten by TAG_MASK characters (not spaces, which could turn the text into an indented
 * code block).
 */

export const TAG_MASK = '\uE000';

/** Ordinary HTML that prompts embed for presentation; these stay Markdown's business. */
const HTML_TAGS = new Set([
  'a', 'abbr', 'b', 'br', 'code', 'del', 'details', 'div', 'em', 'hr', 'i', 'img', 'kbd', 'li',
  'ol', 'p', 'picture', 'pre', 'source', 'span', 'strong', 'sub', 'summary', 'sup', 'table',
  'tbody', 'td', 'th', 'thead', 'tr', 'u', 'ul', 'video', 'center', 'font', 'h1', 'h2', 'h3', 'h4',
  'h5', 'h6', 'blockquote', 'section', 'article', 'header', 'footer', 'nav', 'main',
]);

const NAME = '[A-Za-z_][\\w.:-]*';
const OPEN_ONLY = new RegExp(`^\\s*<(${NAME})(?:\\s[^<>]*)?>\\s*$`);
const CLOSE_ONLY = new RegExp(`^\\s*</(${NAME})\\s*>\\s*$`);
const ONE_LINE = new RegExp(`^(\\s*)<(${NAME})(?:\\s[^<>]*)?>(.*)</(${NAME})\\s*>\\s*$`);
const OPEN_PREFIX = new RegExp(`^(\\s*)(<(${NAME})(?:\\s[^<>]*)?>)(?=\\S)`);
const CLOSE_SUFFIX = new RegExp(`(</(${NAME})\\s*>)\\s*$`);
const COMMENT_LINE = /^\s*<!--.*-->\s*$/;

export interface XmlElement {
  name: string;
  openLine: number;
  /** Line of the closing tag; the last view line + 1 when it never closes. */
  closeLine: number;
}

export interface XmlInlineElement {
  name: string;
  line: number;
  /** View columns of the element's text, without the tags. */
  start: number;
  end: number;
}

export interface XmlScan {
  elements: XmlElement[];
  inline: XmlInlineElement[];
  /** The open elements around each view line, outermost first (shared arrays: do not mutate). */
  pathAt: XmlElement[][];
}

const isXmlName = (name: string) => !HTML_TAGS.has(name.toLowerCase());

/**
 * `<DONT_CHANGE>` tags mark protected text (protectedSpans.ts), not a section: the units inside
 * keep the section path they would have without them. A line holding only such tags separates
 * blocks like any tag line; tags sharing a line with text are masked.
 */
const PROTECT_TAG = /<\/?DONT_CHANGE>/g;

function maskProtectTags(text: string): string {
  return text.replace(PROTECT_TAG, (tag) => TAG_MASK.repeat(tag.length));
}

export function scanXmlSections(lines: string[]): XmlScan {
  const elements: XmlElement[] = [];
  const inline: XmlInlineElement[] = [];
  const pathAt: XmlElement[][] = new Array(lines.length);
  let stack: XmlElement[] = [];

  const close = (name: string, line: number) => {
    const at = stack.map((e) => e.name).lastIndexOf(name);
    if (at === -1) return; // A stray closing tag: tolerate it.
    for (let k = stack.length - 1; k >= at; k--) stack[k].closeLine = line;
    stack = stack.slice(0, at);
  };
  const open = (name: string, line: number) => {
    const el: XmlElement = { name, openLine: line, closeLine: lines.length };
    elements.push(el);
    stack = [...stack, el];
  };

  for (let l = 0; l < lines.length; l++) {
    let text = lines[l];
    if (text.indexOf('<') === -1) {
      pathAt[l] = stack;
      continue;
    }
    if (text.includes('DONT_CHANGE>')) {
      const masked = maskProtectTags(text);
      if (!masked.split(TAG_MASK).join('').trim()) {
        lines[l] = '';
        pathAt[l] = stack;
        continue;
      }
      lines[l] = text = masked;
      if (text.indexOf('<') === -1) {
        pathAt[l] = stack;
        continue;
      }
    }
    if (COMMENT_LINE.test(text)) {
      lines[l] = text.replace(/[^\s]/g, ' ');
      pathAt[l] = stack;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = ONE_LINE.exec(text)) && m[2] === m[4] && isXmlName(m[2]) && !m[3].includes(`<${m[2]}`)) {
      const start = text.indexOf('>', m[1].length) + 1;
      const end = text.lastIndexOf('</');
      const inner = text.slice(start, end);
      const lead = inner.length - inner.trimStart().length;
      const trail = inner.length - inner.trimEnd().length;
      pathAt[l] = stack;
      if (inner.trim()) inline.push({ name: m[2], line: l, start: start + lead, end: end - trail });
      lines[l] = '';
      continue;
    }
    if ((m = OPEN_ONLY.exec(text)) && isXmlName(m[1])) {
      pathAt[l] = stack;
      open(m[1], l);
      lines[l] = '';
      continue;
    }
    if ((m = CLOSE_ONLY.exec(text)) && isXmlName(m[1])) {
      close(m[1], l);
      pathAt[l] = stack;
      lines[l] = '';
      continue;
    }
    let rewritten = text;
    let opensHere: string | undefined;
    if ((m = OPEN_PREFIX.exec(rewritten)) && isXmlName(m[3])) {
      opensHere = m[3];
      rewritten = m[1] + TAG_MASK.repeat(m[2].length) + rewritten.slice(m[0].length);
    }
    if (opensHere) open(opensHere, l);
    pathAt[l] = stack;
    const c = CLOSE_SUFFIX.exec(rewritten);
    if (c && isXmlName(c[2]) && stack.some((e) => e.name === c[2])) {
      rewritten = rewritten.slice(0, c.index) + TAG_MASK.repeat(c[1].length) + rewritten.slice(c.index + c[1].length);
      close(c[2], l);
    }
    lines[l] = rewritten;
  }
  return { elements, inline, pathAt };
}
