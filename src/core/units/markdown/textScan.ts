/**
 * Small scans over the lines of a Markdown view that the block readers share: trimming without
 * allocating, joining line ranges, stripping emphasis from titles.
 */
import type { BlockToken } from '../blockParser';

export function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/** Length of `s` without trailing spaces/tabs, without allocating. */
export function trimmedEnd(s: string): number {
  let e = s.length;
  while (e > 0 && (isSpace(s.charCodeAt(e - 1)) || s.charCodeAt(e - 1) === 13)) e--;
  return e;
}

/** `text.split("\n")`, without the split call for the one-line text most blocks are. */
export function linesOf(text: string): string[] {
  return text.indexOf('\n') === -1 ? [text] : text.split('\n');
}

export function joinLines(lines: string[], from: number, to: number): string {
  return from === to ? lines[from] : lines.slice(from, to + 1).join('\n');
}

export function samePath(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** How many whitespace and ">" characters `line` opens with (what a `^[\s>]*` match covers). */
export function leadingSpaceOrQuote(line: string): number {
  let c = 0;
  while (c < line.length) {
    const code = line.charCodeAt(c);
    if (code === 32 || code === 62 /* > */ || (code >= 9 && code <= 13) || (code > 127 && /\s/.test(line[c]))) c++;
    else break;
  }
  return c;
}

export function stripEmphasis(text: string): string {
  return text.replace(/^[\s>*_`#-]+|[\s*_`:]+$/g, '').replace(/\*\*|__/g, '').trim();
}

/** A heading's title as written in the source (markdown-it's content has template spans masked). */
export function headingTitle(original: string[], masked: string[], open: BlockToken, content: string): string {
  const line = open.map![0];
  if (open.markup.startsWith('#')) {
    const col = masked[line].indexOf(content, masked[line].indexOf('#') + open.markup.length);
    if (col >= 0 && content) return stripEmphasis(original[line].slice(col, col + content.length).trim());
  }
  return stripEmphasis(content.trim());
}

/**
 * `lines.join("\n")`, where `lines` is `base` split at "\n" (`baseLines`) with some lines
 * rewritten: the unchanged stretches are copied from `base` as one slice each.
 */
export function joinChangedLines(base: string, baseLines: readonly string[], lines: readonly string[]): string {
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
