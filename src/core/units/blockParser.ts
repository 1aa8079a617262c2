/**
 * markdown-it's block parser as the Markdown unit reader uses it: inline parsing switched off (that
 * is most of markdown-it's cost and none of the reader's need), and block tokens made by a plain
 * constructor.
 *
 * Why the constructor: markdown-it 15's published build sets eight of a token's thirteen fields
 * through a `defineProperty` helper (how its bundler compiles class fields), a runtime call per
 * field; on a 1 MB prompt that was about a twentieth of the whole unit parse. `ReaderToken` writes
 * the same fields in the same order onto the same prototype, so every token is what markdown-it
 * would make (test/unit/units/blockParser.test.ts holds the two field for field).
 */
import MarkdownIt, { type StateBlock, type Token } from 'markdown-it';

export type MarkdownParser = InstanceType<typeof MarkdownIt>;
export type BlockToken = Token;

type TokenNesting = -1 | 0 | 1;

/** markdown-it's own token class (its instances' constructor; not exported by the package). */
export const MarkdownItToken = new MarkdownIt().parse('x', {})[0].constructor as new (type: string, tag: string, nesting: TokenNesting) => Token;

/** A token as `new Token(type, tag, nesting)` makes it: fields in its order, its prototype. */
export const ReaderToken = function ReaderToken(this: Record<string, unknown>, type: string, tag: string, nesting: TokenNesting) {
  this.map = null;
  this.level = 0;
  this.children = null;
  this.content = '';
  this.markup = '';
  this.info = '';
  this.block = false;
  this.hidden = false;
  this.type = type;
  this.tag = tag;
  this.attrs = null;
  this.nesting = nesting;
  this.meta = null;
} as unknown as new (type: string, tag: string, nesting: TokenNesting) => Token;
ReaderToken.prototype = MarkdownItToken.prototype;

/** markdown-it's block state with `push` as markdown-it writes it, making `ReaderToken`s. */
function readerState(md: MarkdownParser): typeof StateBlock {
  const Base = md.block.State;
  return class ReaderState extends Base {
    override push(type: string, tag: string, nesting: TokenNesting): Token {
      const token = new ReaderToken(type, tag, nesting);
      token.block = true;
      if (nesting < 0) this.level--;
      token.level = this.level;
      if (nesting > 0) this.level++;
      this.tokens.push(token);
      return token;
    }
  };
}

/** A block-only parser: Markdown, or plain text (no headings, no indented code). */
export function blockOnlyParser(preset: 'markdown' | 'text'): MarkdownParser {
  const md = new MarkdownIt('default', { html: true });
  md.core.ruler.disable(['inline', 'linkify', 'replacements', 'smartquotes', 'text_join']);
  // Plain-text prompts use `---` between variants and `#` as ordinary characters.
  if (preset === 'text') md.block.ruler.disable(['heading', 'lheading', 'code']);
  md.block.State = readerState(md);
  return md;
}

/** Fewest lines a chunk of `parseInChunks` holds (a chunk is cut only at a heading after these). */
export const CHUNK_LINES = 400;

const ATX_HEADING = /^#{1,6}(?:[ \t]|$)/;

/**
 * The block tokens of `src` (whose lines are `lines`), handed to `visit` a chunk at a time, exactly
 * as one parse of the whole text would make them (token maps count from the start of `src`).
 *
 * Why chunks: the reader walks the tokens once and keeps none, but a whole-file parse keeps every
 * token alive until the walk, so each young-generation collection during the parse copied them
 * all (most of the parse's garbage-collection time on a large prompt). A chunk's tokens die young.
 *
 * Why exact: a chunk ends right before a top-level ATX heading. It is parsed together with that
 * heading line and the line after it (the only line a rule tried before the heading rule, the
 * table rule, looks at), and it is cut there only when that parse reads the line as a heading at
 * the top level: then no block before it reached into it (an open fence, HTML block, list or
 * paragraph would have taken the line), every block rule looks only forward, and at a top-level
 * block start the parser carries no other state, so the text from the heading on parses as it
 * would in the whole. Otherwise the chunk runs on to a later heading.
 */
export function parseInChunks(md: MarkdownParser, src: string, lines: readonly string[], visit: (tokens: Token[]) => void, minLines = CHUNK_LINES): void {
  const env = {};
  let from = 0;
  let fromOffset = 0;
  let offset = 0;
  for (let l = 0; l < lines.length; l++) {
    if (l - from >= minLines && lines[l].charCodeAt(0) === 35 /* # */ && ATX_HEADING.test(lines[l])) {
      const end = Math.min(l + 2, lines.length);
      let endOffset = offset;
      for (let k = l; k < end; k++) endOffset += lines[k].length + 1;
      const tokens: Token[] = [];
      md.block.parse(src.slice(fromOffset, endOffset - 1), md, env, tokens);
      const cut = headingAt(tokens, l - from);
      if (cut >= 0) {
        tokens.length = cut;
        visit(shifted(tokens, from));
        from = l;
        fromOffset = offset;
      }
    }
    offset += lines[l].length + 1;
  }
  const tokens: Token[] = [];
  md.block.parse(fromOffset === 0 ? src : src.slice(fromOffset), md, env, tokens);
  visit(shifted(tokens, from));
}

/** Index of the top-level heading token that opens on `line`, or -1. */
function headingAt(tokens: Token[], line: number): number {
  for (let k = tokens.length - 1; k >= 0; k--) {
    const t = tokens[k];
    if (t.level === 0 && t.map && t.map[0] < line) return -1;
    if (t.type === 'heading_open' && t.level === 0 && t.map![0] === line) return k;
  }
  return -1;
}

function shifted(tokens: Token[], lines: number): Token[] {
  if (lines) for (const t of tokens) if (t.map) t.map = [t.map[0] + lines, t.map[1] + lines];
  return tokens;
}
