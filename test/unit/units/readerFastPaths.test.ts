/**
 * The Markdown unit reader's shortcuts (issue 20, P1 parse) give exactly what the plain way gives:
 * markdown-it's tokens, the masked lines, the view's text, normalised rule text, template checks.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { blockOnlyParser, MarkdownItToken, parseInChunks, ReaderToken, type BlockToken } from '../../../src/core/units/blockParser';
import { LineIndex } from '../../../src/core/units/lineIndex';
import { LineView } from '../../../src/core/units/lineView';
import { isLockedAt } from '../../../src/core/units/locks';
import { findTemplateSpans, isOnlyTemplate, isOnlyTemplateOrSlot, isTemplateSlot, maskLines, maskSpans } from '../../../src/core/units/templateVars';
import { normalizeRuleText } from '../../../src/core/units/unitId';
import { promptCase } from '../../support/fuzz/promptFiles';

/** Text with template syntax, Markdown, XML-ish tags, every kind of line break and odd whitespace. */
const piece = fc.constantFrom('{{task}}', '{state}', '${input:x}', '{% if x %}', '{# c #}', '{{ a\nb }}', '{{', '}}', '{', '}', '\n', '\r\n', '\r', ' ', '  ', '\t', '\u00a0', '\u2003', '\u3000', '\ufeff', '- ', '# ', '**', '_', '`', ':', 'Rule', 'é', '日本', '🙂', '<rules>', '</rules>', 'x');
const messy = fc.array(piece, { maxLength: 30 }).map((ps) => ps.join(''));

function stockBlockParser(preset: 'markdown' | 'text'): InstanceType<typeof MarkdownIt> {
  const md = new MarkdownIt('default', { html: true });
  md.core.ruler.disable(['inline', 'linkify', 'replacements', 'smartquotes', 'text_join']);
  if (preset === 'text') md.block.ruler.disable(['heading', 'lheading', 'code']);
  return md;
}

describe('Markdown unit reader shortcuts', () => {
  it("makes markdown-it's own tokens: same fields in the same order, same prototype", () => {
    const ours = new ReaderToken('paragraph_open', 'p', 1);
    const theirs = new MarkdownItToken('paragraph_open', 'p', 1);
    assert.deepEqual(Object.keys(ours), Object.keys(theirs), 'markdown-it changed its Token fields: update ReaderToken in blockParser.ts');
    assert.deepEqual(ours, theirs);
    assert.ok(ours instanceof MarkdownItToken);
    for (const preset of ['markdown', 'text'] as const) {
      const fast = blockOnlyParser(preset);
      const stock = stockBlockParser(preset);
      for (const c of fc.sample(promptCase, { numRuns: 300, seed: 11 })) {
        const a: BlockToken[] = [];
        const b: BlockToken[] = [];
        fast.block.parse(c.text, fast, {}, a);
        stock.block.parse(c.text, stock, {}, b);
        assert.equal(JSON.stringify(a), JSON.stringify(b), c.text);
      }
    }
  });

  it('parses in chunks exactly as in one piece, wherever a heading falls', () => {
    // Headings that a fence, an HTML block, a list, a quote, a table or a setext underline
    // must keep from being cut at.
    const tricky = fc.constantFrom('# Head', '## Two', '#no', '```', '~~~', '<div>', '</div>', '<!--', '-->', '- item', '  continued', '> quote', '| a | b |', '|---|---|', '# a | b', '---', '===', '', 'text', '    code', '1. one');
    const doc = fc.oneof(promptCase.map((c) => c.text), fc.array(tricky, { maxLength: 40 }).map((ls) => ls.join('\n')));
    const md = blockOnlyParser('markdown');
    fc.assert(
      fc.property(doc, (text) => {
        const whole: BlockToken[] = [];
        md.block.parse(text, md, {}, whole);
        const chunked: BlockToken[] = [];
        let chunks = 0;
        parseInChunks(md, text, text.split('\n'), (ts) => { chunks++; chunked.push(...ts); }, 1);
        assert.equal(JSON.stringify(chunked), JSON.stringify(whole));
        return chunks >= 1;
      }),
      { numRuns: 3000, seed: 13 },
    );
  });

  it('masks template spans line by line as masking the joined text would', () => {
    fc.assert(
      fc.property(messy, (text) => {
        const lines = text.split('\n');
        const joined = lines.join('\n');
        const spans = findTemplateSpans(joined);
        assert.deepEqual(maskLines(lines, spans), maskSpans(joined, spans).split('\n'));
      }),
      { numRuns: 2000, seed: 3 },
    );
  });

  it('reads a window of the file as the same lines and text, whatever its line breaks', () => {
    fc.assert(
      fc.property(messy, fc.nat(), fc.nat(), (text, a, b) => {
        const file = new LineIndex(text);
        const from = a % file.lineCount;
        const to = from + (b % (file.lineCount - from + 1));
        const view = LineView.ofLines(file, from, to);
        const expected: string[] = [];
        for (let l = from; l < to; l++) expected.push(l === 0 ? file.contentText(l) : file.lineText(l));
        assert.deepEqual(view.lines, expected);
        assert.equal(view.text(), expected.join('\n'));
        assert.deepEqual(view.columns, expected.map((_, k) => (from + k === 0 ? file.bom : 0)));
        for (let k = 0; k + 1 < view.length; k++) assert.equal(view.viewLineOf(view.fileLines[k + 1], k + 1), k + 1);
      }),
      { numRuns: 2000, seed: 5 },
    );
  });

  it('normalises rule text as the regular expressions did', () => {
    const reference = (text: string) => {
      let out = text.toLowerCase();
      if (/[*_`]/.test(out)) out = out.replace(/[*_`]+/g, '');
      if (/\s\s|[^\S ]/.test(out)) out = out.replace(/\s+/g, ' ');
      return out.trim();
    };
    fc.assert(fc.property(messy, (text) => assert.equal(normalizeRuleText(text), reference(text))), { numRuns: 3000, seed: 7 });
    // Every character \s matches, alone and next to a space.
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      for (const text of [`a${ch}b`, `a ${ch}b`]) assert.equal(normalizeRuleText(text), reference(text), `U+${c.toString(16)}`);
    }
  });

  it('tells template-only text and template slots apart as the two separate checks do', () => {
    const slots = fc.array(fc.constantFrom('Question:', '{{query}}', '{x}', ' ', 'Use', '.', ':', '日本', '🙂', 'a_b', "it's", '-', '{% endfor %}', 'Rule'), { maxLength: 8 }).map((ps) => ps.join(''));
    fc.assert(
      fc.property(fc.oneof(messy, slots), (text) => {
        const spans = findTemplateSpans(text);
        assert.equal(isOnlyTemplateOrSlot(text, spans), isOnlyTemplate(text, spans) || isTemplateSlot(text, spans));
      }),
      { numRuns: 3000, seed: 9 },
    );
    // A label of 40 letters outside the Basic Multilingual Plane is 80 code units long and still a slot.
    const slot = (label: string) => isOnlyTemplateOrSlot(`${label}: {{q}}`, findTemplateSpans(`${label}: {{q}}`));
    assert.equal(slot('𝐀'.repeat(40)), true);
    assert.equal(slot('𝐀'.repeat(41)), false);
  });

  it('still finds a lock comment indented with other whitespace than spaces and tabs', () => {
    const file = new LineIndex('\u00a0<!-- truce:lock -->\n- Keep it.\n\ufeff# truce:lock\n- Also.\nplain\n- Not locked.\n');
    assert.equal(isLockedAt(file, 1), true);
    assert.equal(isLockedAt(file, 3), true);
    assert.equal(isLockedAt(file, 5), false);
  });
});
