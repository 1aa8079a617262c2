import { strict as assert } from 'node:assert';
import {
  aggregatorTargets,
  bcdStateFromDetails,
  decidePhase,
  emaStep,
  fuseCredit,
  initialBcdState,
  isInformativeFailure,
  lowestCredit,
  recordPhase,
  roleCredits,
  roundViews,
  toSignedScore,
  updateTemporal,
  type BcdState,
  type RoundObservation,
} from '../../../../src/core/credit/bcd';
import { roundsTrajectory } from './fixtures';

const opts = { emaRate: 0.5, tau: 0.5, minFailures: 2 };
const failure = (round: number, score: number): RoundObservation => ({ round, aggregator: 'judge', aggregatorScore: score, aggregatorRight: false, rolesRight: [true, false] });

describe('bcd structural credit', () => {
  it('fuses critic and peer scores with λ', () => {
    assert.equal(fuseCredit(1, 0, 0.25), 0.25);
    assert.equal(fuseCredit(0.2, 0.6, 0.5), 0.4);
  });

  it('uses the one signal that exists instead of reading a missing one as zero', () => {
    assert.equal(fuseCredit(undefined, 0.7, 0.5), 0.7);
    assert.equal(fuseCredit(0.3, undefined, 0.5), 0.3);
    assert.equal(fuseCredit(undefined, undefined, 0.5), undefined);
  });

  it('averages the fused credit over the rounds a role spoke in', () => {
    const credits = roleCredits(
      [
        { agentId: 'a', round: 1, q: 1, p: 1 },
        { agentId: 'a', round: 2, q: 0, p: 0 },
        { agentId: 'b', round: 1, q: 0.5, p: 0.5 },
        { agentId: 'b', round: 2 },
      ],
      0.5,
    );
    assert.equal(credits.get('a'), 0.5);
    assert.equal(credits.get('b'), 0.5);
  });

  it('picks the K lowest-credit roles, ties by id', () => {
    const credits = new Map([
      ['c', 0.2],
      ['a', 0.9],
      ['b', 0.2],
    ]);
    assert.deepEqual(lowestCredit(credits, 2), ['b', 'c']);
  });

  it('maps [0, 1] credit onto the signed scale', () => {
    assert.equal(toSignedScore(0), -1);
    assert.equal(toSignedScore(0.5), 0);
    assert.equal(toSignedScore(1), 1);
  });
});

describe('bcd temporal credit', () => {
  it('counts as informative only an aggregator failure with a right role', () => {
    assert.equal(isInformativeFailure({ aggregatorRight: false, rolesRight: [false, true] }), true);
    assert.equal(isInformativeFailure({ aggregatorRight: false, rolesRight: [false, false] }), false);
    assert.equal(isInformativeFailure({ aggregatorRight: true, rolesRight: [true] }), false);
    assert.equal(isInformativeFailure({ aggregatorRight: undefined, rolesRight: [true] }), false);
    assert.equal(isInformativeFailure({ aggregatorRight: false, rolesRight: [undefined] }), false);
  });

  it('starts the EMA at the first observation and then moves by the rate', () => {
    assert.equal(emaStep(null, 0.4, 0.3), 0.4);
    assert.ok(Math.abs(emaStep(0.4, 1, 0.5) - 0.7) < 1e-12);
  });

  it('moves the EMA only on informative failures', () => {
    let state = initialBcdState();
    state = updateTemporal(state, [{ round: 1, aggregator: 'judge', aggregatorScore: 0.1, aggregatorRight: true, rolesRight: [true] }], opts);
    assert.deepEqual(state.rounds['1'], { aggregator: 'judge', ema: null, failures: 0 });
    state = updateTemporal(state, [{ round: 1, aggregator: 'judge', aggregatorScore: 0.1, aggregatorRight: false, rolesRight: [false] }], opts);
    assert.equal(state.rounds['1'].failures, 0);
    state = updateTemporal(state, [failure(1, 0.2), failure(1, 0.4)], opts);
    assert.equal(state.rounds['1'].failures, 2);
    assert.ok(Math.abs((state.rounds['1'].ema as number) - 0.3) < 1e-12);
  });

  it('does not mutate the state it was given', () => {
    const before = updateTemporal(initialBcdState(), [failure(1, 0.2)], opts);
    const copy = JSON.parse(JSON.stringify(before));
    updateTemporal(before, [failure(1, 0.9)], opts);
    assert.deepEqual(before, copy);
  });

  it('targets a round only below τ after at least m informative failures', () => {
    const once = updateTemporal(initialBcdState(), [failure(2, 0.1)], opts);
    assert.deepEqual(aggregatorTargets(once, opts), []);
    const twice = updateTemporal(once, [failure(2, 0.1), failure(1, 0.9), failure(1, 0.9)], opts);
    assert.deepEqual(aggregatorTargets(twice, opts).map((t) => t.round), [2]);
  });

  it('survives a round trip through JSON in report details', () => {
    const state = recordPhase(updateTemporal(initialBcdState(), [failure(1, 0.3)], opts), 'A');
    const restored = bcdStateFromDetails(JSON.parse(JSON.stringify({ state })));
    assert.deepEqual(restored, state);
    assert.equal(bcdStateFromDetails({ state: { version: 99 } }), undefined);
    assert.equal(bcdStateFromDetails(undefined), undefined);
  });
});

describe('bcd phase alternation', () => {
  const withTarget: BcdState = updateTemporal(initialBcdState(), [failure(1, 0.1), failure(1, 0.1)], opts);

  it('starts with the roles when no round qualifies yet', () => {
    assert.equal(decidePhase(initialBcdState(), opts).phase, 'A');
  });

  it('starts with the aggregators when the first batch already made a round qualify', () => {
    const decision = decidePhase(withTarget, opts);
    assert.equal(decision.phase, 'B');
    assert.match(decision.reason, /first optimization round/);
  });

  it('moves to the aggregators after a role phase when a round qualifies', () => {
    assert.equal(decidePhase({ ...withTarget, lastPhase: 'A' }, opts).phase, 'B');
  });

  it('stays with the roles when no round qualifies', () => {
    const decision = decidePhase({ ...initialBcdState(), lastPhase: 'A' }, opts);
    assert.equal(decision.phase, 'A');
    assert.match(decision.reason, /τ=0.5/);
  });

  it('returns to the roles after an aggregator phase', () => {
    assert.equal(decidePhase({ ...withTarget, lastPhase: 'B' }, opts).phase, 'A');
  });

  it('counts iterations and remembers the phase', () => {
    const next = recordPhase(initialBcdState(), 'B');
    assert.equal(next.iteration, 1);
    assert.equal(next.lastPhase, 'B');
  });
});

describe('bcd round view', () => {
  it('splits a rounds trajectory into role utterances and the aggregator state, leaving out the decision step', () => {
    const t = roundsTrajectory({ taskId: 't1', reference: 'B', success: false, rounds: [{ solver: 'Answer: B', skeptic: 'Answer: A', judge: 'Answer: A' }] });
    const [view] = roundViews(t);
    assert.deepEqual(view.roles.map((u) => [u.agentId, u.stepIds]), [['solver', ['r1.solver']], ['skeptic', ['r1.skeptic']]]);
    assert.deepEqual(view.aggregator, { agentId: 'judge', text: 'Answer: A', stepId: 'r1.agg' });
  });
});
