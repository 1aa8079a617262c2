import { strict as assert } from 'node:assert';
import { acceptanceMargin, decideAcceptance, hoeffdingEpsilon, tasksNeeded } from '../../../src/core/optimize/accept';

const scores = (xs: number[]) => new Map(xs.map((x, i) => [`v${i}`, x]));

describe('acceptance gate', () => {
  it('computes the Hoeffding deviation ε = sqrt(ln(1/δ)/(2n)) and a margin of 2ε at δ/comparisons', () => {
    assert.ok(Math.abs(hoeffdingEpsilon(50, 0.05) - Math.sqrt(Math.log(20) / 100)) < 1e-12);
    assert.ok(Math.abs(acceptanceMargin(50, { delta: 0.1, comparisons: 2 }) - 2 * hoeffdingEpsilon(50, 0.05)) < 1e-12);
    assert.equal(hoeffdingEpsilon(0, 0.1), Number.POSITIVE_INFINITY);
    assert.throws(() => hoeffdingEpsilon(10, 1.5), /δ/);
  });

  it('shrinks the margin as the validation set grows', () => {
    const s = { delta: 0.1, comparisons: 3 };
    assert.ok(acceptanceMargin(100, s) < acceptanceMargin(10, s));
  });

  it('accepts a gain that clears the margin', () => {
    const d = decideAcceptance(scores(Array(12).fill(0)), scores(Array(12).fill(1)), { delta: 0.1, comparisons: 1 });
    assert.equal(d.accepted, true);
    assert.equal(d.gain, 1);
    assert.equal(d.n, 12);
  });

  it('rejects a real but small gain on few tasks and says how many tasks it would need', () => {
    const best = scores([0, 0, 1, 1]);
    const cand = scores([1, 0, 1, 1]);
    const d = decideAcceptance(best, cand, { delta: 0.1, comparisons: 1 });
    assert.equal(d.accepted, false);
    assert.match(d.reason, new RegExp(`at least ${tasksNeeded(0.25, { delta: 0.1, comparisons: 1 })} validation tasks`));
  });

  it('rejects no gain and a loss', () => {
    assert.equal(decideAcceptance(scores([1, 1]), scores([1, 1]), { delta: 0.1, comparisons: 1 }).accepted, false);
    assert.match(decideAcceptance(scores([1, 1]), scores([0, 1]), { delta: 0.1, comparisons: 1 }).reason, /No validation gain/);
  });

  it('compares only tasks scored for both sets', () => {
    const best = new Map([['a', 0], ['b', 0]]);
    const cand = new Map([['a', 1]]);
    const d = decideAcceptance(best, cand, { delta: 0.1, comparisons: 1 });
    assert.equal(d.n, 1);
    assert.equal(decideAcceptance(new Map(), new Map(), { delta: 0.1, comparisons: 1 }).accepted, false);
  });

  it('accepts a truly-not-better candidate at most about δ of the time (simulated coin flips)', () => {
    // Both sets have the same success rate; any acceptance is a false improvement.
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const trials = 400;
    let accepted = 0;
    for (let t = 0; t < trials; t++) {
      const n = 30;
      const best = new Map<string, number>();
      const cand = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        best.set(`v${i}`, rnd() < 0.5 ? 1 : 0);
        cand.set(`v${i}`, rnd() < 0.5 ? 1 : 0);
      }
      if (decideAcceptance(best, cand, { delta: 0.1, comparisons: 1 }).accepted) accepted++;
    }
    assert.ok(accepted / trials <= 0.1, `false acceptance rate ${accepted / trials}`);
  });
});
