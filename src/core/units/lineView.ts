/**
 * A window onto some lines of a file, possibly shifted right (a YAML block scalar's content
 * without its indentation, a Prompty role block). The Markdown rules run on the view's text and
 * every position they produce maps back to the file through the view.
 */
import type { LineIndex } from './lineIndex';
import type { Position } from './types';

export class LineView {
  private constructor(
    readonly file: LineIndex,
    /** File line of each view line. */
    readonly fileLines: number[],
    /** Column in the file line where each view line starts. */
    readonly columns: number[],
    /** The view's lines, unmasked. */
    readonly lines: string[],
    /** `lines.join("\n")` when it is a stretch of the file's own text (see `text`). */
    private readonly joined?: string,
  ) {}

  /** Lines [from, to) of the file, unshifted. */
  static ofLines(file: LineIndex, from: number, to: number): LineView {
    const count = Math.max(0, to - from);
    const fileLines: number[] = new Array(count);
    const columns: number[] = new Array(count);
    // Where every line break in the window is "\n", the view's text is one slice of the file and
    // its lines one split of that slice: far cheaper on a large file than a slice per line and a
    // join of them all later (`text`).
    let lfOnly = to > from;
    for (let l = from; l < to; l++) {
      fileLines[l - from] = l;
      columns[l - from] = l === 0 ? file.bom : 0;
      if (lfOnly && l + 1 < to && (file.starts[l + 1] !== file.ends[l] + 1 || file.text.charCodeAt(file.ends[l]) !== 10)) lfOnly = false;
    }
    if (lfOnly) {
      const joined = file.text.slice(file.starts[from] + (from === 0 ? file.bom : 0), file.ends[to - 1]);
      return new LineView(file, fileLines, columns, joined.split('\n'), joined);
    }
    const lines: string[] = [];
    for (let l = from; l < to; l++) lines.push(l === 0 && file.bom ? file.contentText(l) : file.lineText(l));
    return new LineView(file, fileLines, columns, lines);
  }

  /**
   * The given file lines, in the given order, unshifted: a Markdown window of a file with the
   * heading lines that give it its context in front (see incremental/windowParse.ts).
   */
  static ofFileLines(file: LineIndex, lines: readonly number[]): LineView {
    const columns: number[] = [];
    const texts: string[] = [];
    for (const l of lines) {
      const skip = l === 0 ? file.bom : 0;
      columns.push(skip);
      texts.push(skip ? file.contentText(l) : file.lineText(l));
    }
    return new LineView(file, [...lines], columns, texts);
  }

  /** Lines [from, to) with up to `indent` leading spaces removed from each. */
  static ofIndentedLines(file: LineIndex, from: number, to: number, indent: number): LineView {
    const fileLines: number[] = [];
    const columns: number[] = [];
    const lines: string[] = [];
    for (let l = from; l < to; l++) {
      const text = file.contentText(l);
      const skip = l === 0 ? file.bom : 0;
      let cut = 0;
      while (cut < indent && cut < text.length && text.charCodeAt(cut) === 32) cut++;
      fileLines.push(l);
      columns.push(skip + cut);
      lines.push(text.slice(cut));
    }
    return new LineView(file, fileLines, columns, lines);
  }

  /** The view's lines joined with "\n" (what the Markdown rules read). */
  text(): string {
    return this.joined ?? this.lines.join('\n');
  }

  /**
   * The first view line showing file line `fileLine`, or -1. `hint` is where it is expected (the
   * view line after a known one). When the view's file lines ascend, as in every view made here,
   * a matching hint is the only match, so the search runs only otherwise: a multi-line unit asks
   * this, and a search per unit grew with the file.
   */
  viewLineOf(fileLine: number, hint: number): number {
    if (this.fileLines[hint] === fileLine && this.ascending()) return hint;
    return this.fileLines.indexOf(fileLine);
  }

  private ascendingLines?: boolean;

  private ascending(): boolean {
    if (this.ascendingLines === undefined) {
      let ok = true;
      for (let k = 1; k < this.fileLines.length && ok; k++) ok = this.fileLines[k] > this.fileLines[k - 1];
      this.ascendingLines = ok;
    }
    return this.ascendingLines;
  }

  get length(): number {
    return this.lines.length;
  }

  position(viewLine: number, character: number): Position {
    return this.file.position(this.fileLines[viewLine], this.columns[viewLine] + character);
  }

  offset(viewLine: number, character: number): number {
    return this.file.starts[this.fileLines[viewLine]] + this.columns[viewLine] + character;
  }
}
