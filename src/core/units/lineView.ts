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
  ) {}

  /** Lines [from, to) of the file, unshifted. */
  static ofLines(file: LineIndex, from: number, to: number): LineView {
    const fileLines: number[] = [];
    const columns: number[] = [];
    const lines: string[] = [];
    for (let l = from; l < to; l++) {
      const skip = l === 0 ? file.bom : 0;
      fileLines.push(l);
      columns.push(skip);
      lines.push(skip ? file.contentText(l) : file.lineText(l));
    }
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
