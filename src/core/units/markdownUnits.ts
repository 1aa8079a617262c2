/**
 * Policy units of Markdown text (and of plain text, which uses the same block rules without
 * headings). markdown-it finds the blocks; we only take its line maps and compute exact columns
 * ourselves from the source, so inline parsing is switched off entirely: that is most of
 * markdown-it's cost and none of our need.
 *
 * This file is the driver: it masks template spans, scans XML sections, and hands each block token
 * to the reader of its kind (markdown/: headings, lists and items, paragraphs, code, table rows,
 * inline XML), which share one read state (markdown/readState.ts). Block quotes need no reader of
 * their own: their paragraphs and lists arrive as tokens like any other.
 */
import { blockOnlyParser, parseInChunks, type BlockToken } from './blockParser';
import { readFence, readOpaqueBlock } from './markdown/codeBlocks';
import { readHeading } from './markdown/headingBlock';
import { flushInlineXmlBefore } from './markdown/inlineXml';
import { closeItem, closeList, openItem, openList } from './markdown/listBlocks';
import type { MarkdownOptions } from './markdown/options';
import { readParagraph } from './markdown/paragraphBlock';
import { createReadState, type ReadState } from './markdown/readState';
import { readTableRow } from './markdown/tableRow';
import { joinChangedLines } from './markdown/textScan';
import { findTemplateSpans, maskLines } from './templateVars';
import { scanXmlSections } from './xmlSections';

export type { MarkdownObserver, MarkdownOptions } from './markdown/options';

const parsers = { markdown: blockOnlyParser('markdown'), text: blockOnlyParser('text') };

export function markdownUnits(opts: MarkdownOptions): void {
  const original = opts.view.lines;
  const joined = opts.view.text();
  const masked = maskLines(original, findTemplateSpans(joined));
  const state = createReadState(opts, masked, scanXmlSections(masked));
  const md = opts.plainText ? parsers.text : parsers.markdown;
  // The block parser alone: the core chain around it would only normalise line breaks (the view
  // joins with "\n" already) and strip reference definitions we never look at.
  const source = joinChangedLines(joined, original, masked);
  parseInChunks(md, source, masked, (chunk) => {
    state.tokens = chunk;
    readBlocks(state);
  });
  flushInlineXmlBefore(state, Number.MAX_SAFE_INTEGER);
}

/** Hands every token of the current chunk to the reader of its block kind. */
function readBlocks(s: ReadState): void {
  const { tokens } = s;
  for (let i = 0; i < tokens.length; i++) {
    const t: BlockToken = tokens[i];
    if (t.map && s.inlineXml < s.xml.inline.length) flushInlineXmlBefore(s, t.map[0]);
    switch (t.type) {
      case 'heading_open':
        i = readHeading(s, i);
        break;
      case 'bullet_list_open':
      case 'ordered_list_open':
        openList(s);
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        closeList(s);
        break;
      case 'list_item_open':
        openItem(s, i);
        break;
      case 'list_item_close':
        closeItem(s, i);
        break;
      case 'paragraph_open':
        i = readParagraph(s, i);
        break;
      case 'tr_open':
        readTableRow(s, i);
        break;
      case 'fence':
        readFence(s, i);
        break;
      case 'code_block':
      case 'html_block':
      case 'hr':
        readOpaqueBlock(s);
        break;
      default:
        break;
    }
  }
}
