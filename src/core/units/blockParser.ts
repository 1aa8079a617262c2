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
