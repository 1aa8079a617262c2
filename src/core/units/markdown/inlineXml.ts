/**
 * XML elements that open and close on one line (`<tone>Be brief.</tone>`): markdown-it sees them
 * as text of a paragraph, so they are emitted apart, each as an `xml` unit named by its tag, in
 * line order with the blocks around them.
 */
import { pushSingleLine } from './emitUnits';
import type { ReadState } from './readState';

/** Emits the inline XML elements on lines before `viewLine` not emitted yet. */
export function flushInlineXmlBefore(s: ReadState, viewLine: number): void {
  const { inline } = s.xml;
  while (s.inlineXml < inline.length && inline[s.inlineXml].line < viewLine) {
    const el = inline[s.inlineXml++];
    const title = { title: el.name, line: el.line, level: 8, nonRule: false };
    const lineText = s.original[el.line];
    const indentEnd = lineText.length - lineText.trimStart().length;
    pushSingleLine(s, 'xml', el.line, el.start, el.end, indentEnd, s.original[el.line].length, '', title);
  }
}
