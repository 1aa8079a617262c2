import { strict as assert } from 'node:assert';
import { appliedSubset } from '../../../src/core/editor/appliedSubset';
import { applyTextEdits } from '../../../src/core/units';

const original = '- one\n- two\n- three\n';
const edits = [
  { start: 2, end: 5, newText: 'ONE' },
  { start: 19, end: 19, newText: '\n- four' },
  { start: 8, end: 11, newText: 'TWO' },
];

describe('applied subset of edits', () => {
  it('tells which edits a text shows, for every subset', () => {
    for (let mask = 0; mask < 8; mask++) {
      const chosen = edits.filter((_, i) => mask & (1 << i));
      const flags = appliedSubset(original, applyTextEdits(original, chosen), edits);
      assert.deepEqual(flags, edits.map((_, i) => Boolean(mask & (1 << i))), `mask ${mask}`);
    }
  });

  it('gives undefined for a text that something else changed too', () => {
    assert.equal(appliedSubset(original, applyTextEdits(original, [edits[0]!]).replace('three', 'drei'), edits), undefined);
  });

  it('refuses overlapping edits', () => {
    assert.equal(appliedSubset(original, original, [{ start: 0, end: 4, newText: '' }, { start: 2, end: 6, newText: '' }]), undefined);
  });
});
