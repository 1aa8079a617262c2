import assert from 'node:assert/strict';
import fc from 'fast-check';
import { partitionTrajectory, type PartitionMode, type Step, type SubTrajectory } from '../../../src/core/trajectory';
import { step } from './trajectoryBuilders';

/** Steps as a valid trajectory has them: ascending seq, rounds never going back. */
const stepsArbitrary = fc
  .array(fc.record({ agent: fc.constantFrom('planner', 'solver', 'critic'), nextRound: fc.boolean() }), { maxLength: 40 })
  .map((specs) => {
    let round = 0;
    return specs.map((spec, i): Step => {
      if (spec.nextRound && i > 0) round += 1;
      return step(`s${i}`, i * 2, { agentId: spec.agent, round });
    });
  });

const modeArbitrary: fc.Arbitrary<PartitionMode> = fc.oneof(
  fc.constant<PartitionMode>({ by: 'round' }),
  fc.constant<PartitionMode>({ by: 'agent' }),
  fc.integer({ min: 1, max: 7 }).map((size): PartitionMode => ({ by: 'window', size })),
);

function check(parts: SubTrajectory[], steps: Step[]): void {
  // Read in order, the parts give back every step exactly once.
  assert.deepEqual(parts.flatMap((p) => p.stepIds), steps.map((s) => s.id));
  parts.forEach((p, i) => {
    assert.equal(p.index, i);
    assert.ok(p.steps.length > 0);
    assert.deepEqual(p.stepIds, p.steps.map((s) => s.id));
    assert.equal(p.rounds.first, Math.min(...p.steps.map((s) => s.round)));
    assert.equal(p.rounds.last, Math.max(...p.steps.map((s) => s.round)));
    assert.deepEqual(p.agents, [...new Set(p.steps.map((s) => s.agentId))]);
  });
}

describe('partitioning', () => {
  it('covers every step exactly once, in order, for every mode', () => {
    fc.assert(
      fc.property(stepsArbitrary, modeArbitrary, (steps, mode) => {
        check(partitionTrajectory({ steps }, mode), steps);
      }),
      { numRuns: 500 },
    );
  });

  it('by round: one part per round, each holding the whole round', () => {
    fc.assert(
      fc.property(stepsArbitrary, (steps) => {
        const parts = partitionTrajectory({ steps });
        assert.deepEqual(parts.map((p) => p.rounds.first), [...new Set(steps.map((s) => s.round))]);
        for (const p of parts) assert.equal(p.rounds.first, p.rounds.last);
      }),
    );
  });

  it('by agent: maximal blocks, so neighbouring blocks belong to different agents', () => {
    fc.assert(
      fc.property(stepsArbitrary, (steps) => {
        const parts = partitionTrajectory({ steps }, { by: 'agent' });
        for (const p of parts) assert.equal(p.agents.length, 1);
        for (let i = 1; i < parts.length; i++) assert.notEqual(parts[i]?.agents[0], parts[i - 1]?.agents[0]);
      }),
    );
  });

  it('by window: full windows of N steps and a shorter last one', () => {
    fc.assert(
      fc.property(stepsArbitrary, fc.integer({ min: 1, max: 9 }), (steps, size) => {
        const parts = partitionTrajectory({ steps }, { by: 'window', size });
        assert.equal(parts.length, Math.ceil(steps.length / size));
        parts.forEach((p, i) => assert.equal(p.steps.length, i < parts.length - 1 ? size : steps.length - size * (parts.length - 1)));
      }),
    );
  });

  it('labels parts for people and keeps the original step objects', () => {
    const steps = [step('a', 0, { agentId: 'x' }), step('b', 1, { agentId: 'x' }), step('c', 2, { agentId: 'y', round: 1 }), step('d', 3, { agentId: 'x', round: 1 })];
    assert.deepEqual(partitionTrajectory({ steps }).map((p) => p.label), ['round 0', 'round 1']);
    assert.deepEqual(partitionTrajectory({ steps }, { by: 'agent' }).map((p) => p.label), ['x block 1', 'y block 1', 'x block 2']);
    assert.deepEqual(partitionTrajectory({ steps }, { by: 'window', size: 3 }).map((p) => p.label), ['steps 1–3', 'steps 4–4']);
    assert.equal(partitionTrajectory({ steps })[0]?.steps[0], steps[0]);
    assert.deepEqual(partitionTrajectory({ steps: [] }), []);
    assert.throws(() => partitionTrajectory({ steps }, { by: 'window', size: 0 }), RangeError);
  });
});
