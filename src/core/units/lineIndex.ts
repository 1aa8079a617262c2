/**
 * Line bookkeeping for a source text. VS Code counts "\r\n", "\r" and "\n" as line breaks and
 * measures columns in UTF-16 code units, so this does the same: a JavaScript string index is
 * already a UTF-16 offset.
 */
import type { Position } from './types';

export class LineIndex {
  /** Offset at which each line starts. */
  readonly starts: number[];
  /** Offset at which each line's content ends (before its line break). */
  readonly ends: number[];
  /**
   * 1 when the text starts with a byte-order mark (U+FEFF), 0 otherwise. The mark is not content:
   * readers start line 0 after it, and edits never remove it (offsets still count it).
   */
  readonly bom: number;

  constructor(readonly text: string) {
    const starts = [0];
    const ends: number[] = [];
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */ || c === 13 /* \r */) {
        ends.push(i);
        i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
        starts.push(i);
      } else {
        i++;
      }
    }
    ends.push(n);
    this.starts = starts;
    this.ends = ends;
    this.bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  /** The text of `line` without a leading byte-order mark. */
  contentText(line: number): string {
    return this.text.slice(this.starts[line] + (line === 0 ? this.bom : 0), this.ends[line]);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  lineText(line: number): string {
    return this.text.slice(this.starts[line], this.ends[line]);
  }

  /** The line break that ends `line` ("" for the last line). */
  eolOf(line: number): string {
    return this.text.slice(this.ends[line], this.starts[line + 1] ?? this.ends[line]);
  }

  position(line: number, character: number): Position {
    return { line, character, offset: this.starts[line] + character };
  }

  positionAt(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo], offset };
  }

  /** The dominant line break of the file, used for text that edits insert. */
  preferredEol(): string {
    let crlf = 0;
    let lf = 0;
    for (let l = 0; l < this.starts.length - 1; l++) {
      if (this.eolOf(l) === '\r\n') crlf++;
      else lf++;
    }
    return crlf > lf ? '\r\n' : '\n';
  }
}
