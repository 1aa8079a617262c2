import { strict as assert } from 'node:assert';
import { derivedRandom, sampleBatch } from '../../../src/core/optimize/random';

describe('seeded sampling', () => {
  const ids = Array.from({ length: 20 }, (_, i) => `t${String(i).padStart(2, '0')}`);

  it('draws the same batch for the same seed, purpose and round', () => {
    assert.deepEqual(sampleBatch(ids, 5, derivedRandom(7, 'batch', 1)), sampleBatch(ids, 5, derivedRandom(7, 'batch', 1)));
  });

  it('draws different batches for different rounds or seeds', () => {
    const a = sampleBatch(ids, 5, derivedRandom(7, 'batch', 1));
    assert.notDeepEqual(a, sampleBatch(ids, 5, derivedRandom(7, 'batch', 2)));
    assert.notDeepEqual(a, sampleBatch(ids, 5, derivedRandom(8, 'batch', 1)));
  });

  it('returns distinct items in input order, and everything when the batch is larger than the list', () => {
    const b = sampleBatch(ids, 6, derivedRandom(1, 'x'));
    assert.equal(new Set(b).size, 6);
    assert.deepEqual(b, [...b].sort());
    assert.deepEqual(sampleBatch(ids, 50, derivedRandom(1, 'x')), ids);
  });
});
