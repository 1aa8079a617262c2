/**
 * Template syntax inside prompts: Jinja/Handlebars/Mustache (`{{x}}`, `{% %}`, `{# #}`), Python
 * format fields (`{x}`) and VS Code prompt variables (`${input:x}`, `${file}`).
 *
 * The parser masks every span with a private-use character of the same length before it looks for
 * structure, so Markdown syntax inside a variable (`{{ a * b }}`, `{% if x %}` on its own line)
 * never creates or splits a unit, and offsets stay identical to the original text.
 */

export const TEMPLATE_MASK = '\uE001';

export interface TemplateSpan {
  start: number;
  end: number;
  /** The variable name without delimiters, or undefined for statements and comments. */
  variable?: string;
}

/** Longest span we accept between delimiters: an unclosed `{{` must not swallow the file. */
export const MAX_TEMPLATE_SPAN = 2000;
const MAX_SPAN = MAX_TEMPLATE_SPAN;

const IDENT_START = /[A-Za-z_]/;
const FORMAT_FIELD = /\{([A-Za-z_][\w.]*)\}/y;

/**
 * The variable path an expression `text[from, to)` opens with (`/^[-~\s]*([A-Za-z_$][\w.$]*)/`),
 * read in place: every `{{ }}` in a prompt is asked this, once per file and once per unit.
 */
function leadingPath(text: string, from: number, to: number): string | undefined {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 45 /* - */ || c === 126 /* ~ */ || c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(text[i]))) i++;
    else break;
  }
  if (i >= to || !isPathStart(text.charCodeAt(i))) return undefined;
  let e = i + 1;
  while (e < to && isPathPart(text.charCodeAt(e))) e++;
  return text.slice(i, e);
}

function isPathStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 /* _ */ || c === 36 /* $ */;
}

function isPathPart(c: number): boolean {
  return isPathStart(c) || (c >= 48 && c <= 57) || c === 46 /* . */;
}

export function findTemplateSpans(text: string): TemplateSpan[] {
  const spans: TemplateSpan[] = [];
  let i = text.indexOf('{');
  while (i !== -1) {
    const next = text.charCodeAt(i + 1);
    let end = -1;
    let variable: string | undefined;
    const prevIsDollar = i > 0 && text.charCodeAt(i - 1) === 36; /* $ */
    if (prevIsDollar) {
      const close = text.indexOf('}', i);
      const nl = text.indexOf('\n', i);
      if (close !== -1 && close - i < MAX_SPAN && (nl === -1 || close < nl)) {
        end = close + 1;
        const inner = text.slice(i + 1, close).trim();
        const parts = inner.split(':');
        variable = parts.length >= 2 ? `${parts[0]}:${parts[1]}` : inner;
        spans.push({ start: i - 1, end, variable: variable || undefined });
        i = text.indexOf('{', end);
        continue;
      }
    }
    if (next === 123 /* { */ || next === 37 /* % */ || next === 35 /* # */) {
      const closer = next === 123 ? '}}' : next === 37 ? '%}' : '#}';
      const close = text.indexOf(closer, i + 2);
      if (close !== -1 && close - i < MAX_SPAN) {
        end = close + 2;
        if (next === 123) variable = leadingPath(text, i + 2, close);
        // `{{{x}}}` (triple mustache) closes one brace later.
        if (next === 123 && text.charCodeAt(i + 2) === 123 && text.charCodeAt(end) === 125) end++;
        spans.push({ start: i, end, variable });
        i = text.indexOf('{', end);
        continue;
      }
    } else if (IDENT_START.test(text[i + 1] ?? '')) {
      FORMAT_FIELD.lastIndex = i;
      const m = FORMAT_FIELD.exec(text);
      if (m) {
        end = i + m[0].length;
        spans.push({ start: i, end, variable: m[1] });
        i = text.indexOf('{', end);
        continue;
      }
    }
    i = text.indexOf('{', i + 1);
  }
  return spans;
}

/** Replaces each span's characters (except line breaks) by TEMPLATE_MASK. */
export function maskSpans(text: string, spans: TemplateSpan[]): string {
  if (spans.length === 0) return text;
  const parts: string[] = [];
  let last = 0;
  for (const s of spans) {
    parts.push(text.slice(last, s.start));
    const span = text.slice(s.start, s.end);
    parts.push(span.includes('\n') || span.includes('\r') ? span.replace(/[^\r\n]/g, TEMPLATE_MASK) : TEMPLATE_MASK.repeat(span.length));
    last = s.end;
  }
  parts.push(text.slice(last));
  return parts.join('');
}

/**
 * The same as `maskSpans(lines.join("\n"), spans).split("\n")`, where `spans` are offsets into
 * the lines joined with "\n", without building either string: a copy of `lines` in which only the
 * lines a span touches are rewritten. On a large prompt the joined copies cost more than the rest.
 */
export function maskLines(lines: readonly string[], spans: readonly TemplateSpan[]): string[] {
  const out = lines.slice();
  let line = 0;
  let lineStart = 0;
  for (const s of spans) {
    while (s.start > lineStart + lines[line].length) {
      lineStart += lines[line].length + 1;
      line++;
    }
    let l = line;
    let ls = lineStart;
    let from = s.start;
    for (;;) {
      const lineEnd = ls + lines[l].length;
      const a = from - ls;
      const b = Math.min(s.end, lineEnd) - ls;
      if (b > a) {
        const part = out[l].slice(a, b);
        const mask = part.includes('\r') ? part.replace(/[^\r]/g, TEMPLATE_MASK) : TEMPLATE_MASK.repeat(b - a);
        out[l] = out[l].slice(0, a) + mask + out[l].slice(b);
      }
      if (s.end <= lineEnd + 1) break;
      ls = lineEnd + 1;
      l++;
      from = ls;
    }
  }
  return out;
}

/** Variables used in a piece of text, in order of first appearance. */
export function variablesIn(text: string, spans = findTemplateSpans(text)): string[] {
  const out: string[] = [];
  for (const s of spans) {
    if (s.variable && !out.includes(s.variable)) out.push(s.variable);
  }
  return out;
}

/** The text with every template span removed. */
export function withoutTemplates(text: string, spans: TemplateSpan[]): string {
  let rest = '';
  let last = 0;
  for (const s of spans) {
    rest += text.slice(last, s.start);
    last = s.end;
  }
  return rest + text.slice(last);
}

/** True when the text is nothing but template syntax and punctuation (e.g. `{% endfor %}`). */
export function isOnlyTemplate(text: string, spans = findTemplateSpans(text)): boolean {
  if (spans.length === 0) return false;
  const rest = withoutTemplates(text, spans);
  return !/[A-Za-z0-9]/.test(rest) && !/[\p{L}\p{N}]/u.test(rest);
}

/** A slot's label: a few words and a colon. */
const SLOT_LABEL = /^[\p{L}\p{N}\s_'-]{0,40}:$/u;

/**
 * `isOnlyTemplate(text, spans) || isTemplateSlot(text, spans)`, with the text outside the spans
 * worked out once: the reader asks both of every unit that holds a variable.
 */
export function isOnlyTemplateOrSlot(text: string, spans: TemplateSpan[]): boolean {
  if (spans.length === 0) return false;
  const rest = withoutTemplates(text, spans);
  if (!/[A-Za-z0-9]/.test(rest) && !/[\p{L}\p{N}]/u.test(rest)) return true;
  const label = rest.trim();
  if (label === '') return true;
  // A slot's label ends in ":" and has at most 40 code points before it (81 code units).
  return label.length <= 81 && label.charCodeAt(label.length - 1) === 58 && SLOT_LABEL.test(label) && label.split(/\s+/).length <= 4;
}

/** "Question: {{query}}" is a slot the template fills, not a behavioural rule. */
export function isTemplateSlot(text: string, spans = findTemplateSpans(text)): boolean {
  if (spans.length === 0) return false;
  const label = withoutTemplates(text, spans).trim();
  return label === '' || (SLOT_LABEL.test(label) && label.split(/\s+/).length <= 4);
}
