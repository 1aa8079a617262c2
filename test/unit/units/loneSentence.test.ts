/** Found by bench:fuzz: a block read as one sentence that is not the block's whole text. */
import { strict as assert } from 'node:assert';
import { allUnits, parsePromptDocument } from '../../../src/core/units';

describe('a block whose only sentence is not its whole text', () => {
  it('is parsed, and DELETE of the sentence takes only the sentence', () => {
    // The lone surrogate ends the line's text without a sentence after it, and the stray "}}" is
    // masked, so the one sentence found stops short of the block's end.
    const text = 'agents:\n  Rules:\n    instructions:\n      - critic solver\n      - >\n        Output rule rule 日本 `code` critic\n        日本 𽺫𳌨𡷏򤹅򄯂𵣧 agent  >y\ud83d! }}\n      - *anchor';
    const doc = parsePromptDocument(text, { uri: 'prompts/team.yml', format: 'text' });
    assert.deepEqual(doc.errors, []);
    const units = allUnits(doc);
    assert.ok(units.length > 0);
    for (const u of units) {
      assert.equal(text.slice(u.range.start.offset, u.range.end.offset), u.text);
      assert.ok(u.block.start <= u.range.start.offset && u.block.end >= u.range.end.offset, `block covers ${u.text}`);
    }
  });
});
