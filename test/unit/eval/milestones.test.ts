import { strict as assert } from 'node:assert';
import { EvaluatorConfigError, MILESTONE_PROMPT_VERSION, MilestoneDetector, MilestoneSchema } from '../../../src/core/eval';
import { fakeCaller } from './fakeCaller';
import { researchRun } from './trajectories';

describe('milestones', () => {
  it('marks the first step whose output matches, by string or regex', async () => {
    const report = await new MilestoneDetector([
      { id: 'plan', description: 'A plan exists', match: 'plan:' },
      { id: 'papers', description: 'Five papers collected', match: { regex: 'collected papers:(?:[^,]+,){4}' , flags: 'i' } },
      { id: 'outline', description: 'An outline exists', match: 'outline' },
      { id: 'eval', description: 'An evaluation section', match: 'evaluation' },
    ]).detect(researchRun);
    const byId = Object.fromEntries(report.milestones.map((m) => [m.id, m]));
    assert.equal(byId.plan.stepId, 's1');
    assert.equal(byId.papers.stepId, 's3');
    // Both s4 and s5 mention an outline; the first one counts.
    assert.deepEqual([byId.outline.stepId, byId.outline.round, byId.outline.stepIndex, byId.outline.tokensAtReach], ['s4', 1, 3, 600_000]);
    assert.equal(byId.eval.reached, false);
    assert.equal(report.promptVersion, undefined);
  });

  it('gives milestones reached, per round, per million tokens, and the accumulated curve', async () => {
    const report = await new MilestoneDetector([
      { id: 'plan', description: 'A plan exists', match: 'plan:' },
      { id: 'outline', description: 'An outline exists', match: 'outline' },
      { id: 'final', description: 'Review finished', match: 'final review' },
      { id: 'eval', description: 'An evaluation section', match: 'evaluation' },
    ]).detect(researchRun);
    assert.equal(report.reached, 3);
    assert.equal(report.total, 4);
    assert.equal(report.fraction, 0.75);
    assert.equal(report.rounds, 3);
    assert.equal(report.perRound, 1);
    assert.equal(report.tokens, 1_000_000);
    assert.equal(report.perMillionTokens, 3);
    assert.deepEqual(report.curve, [
      { round: 0, reached: 1, tokens: 300_000 },
      { round: 1, reached: 2, tokens: 600_000 },
      { round: 2, reached: 3, tokens: 1_000_000 },
    ]);
  });

  it('prefers the trajectory-level token total and returns null rates when there is nothing to divide by', async () => {
    const withTotal = await new MilestoneDetector([{ id: 'p', description: 'plan', match: 'plan' }]).detect({ ...researchRun, usage: { in: 0, out: 0, total: 2_000_000 } });
    assert.equal(withTotal.perMillionTokens, 0.5);
    const empty = await new MilestoneDetector([{ id: 'p', description: 'plan', match: 'plan' }]).detect({ steps: [] });
    assert.deepEqual([empty.reached, empty.perRound, empty.perMillionTokens], [0, null, null]);
  });

  it('asks the judge, in one call, about milestones without a match', async () => {
    const fake = fakeCaller([
      {
        reply: {
          milestones: [
            { id: 'synthesis', stepId: 's5', reasoning: 'The review is complete.' },
            { id: 'critique', stepId: null, reasoning: 'Nobody critiqued the draft.' },
          ],
        },
      },
    ]);
    const report = await new MilestoneDetector(
      [
        { id: 'plan', description: 'A plan exists', match: 'plan:' },
        { id: 'synthesis', description: 'The papers are synthesised into a review' },
        { id: 'critique', description: 'Someone critiques the draft' },
      ],
      fake.caller,
    ).detect(researchRun);
    assert.equal(fake.calls.length, 1);
    const user = fake.calls[0].messages[1].content;
    assert.ok(user.includes('synthesis: The papers are synthesised') && !user.includes('plan: A plan exists'));
    const byId = Object.fromEntries(report.milestones.map((m) => [m.id, m]));
    assert.deepEqual([byId.synthesis.method, byId.synthesis.reached, byId.synthesis.round], ['judge', true, 2]);
    assert.equal(byId.critique.reached, false);
    assert.equal(byId.critique.reasoning, 'Nobody critiqued the draft.');
    assert.equal(report.reached, 2);
    assert.equal(report.promptVersion, MILESTONE_PROMPT_VERSION);
    assert.deepEqual(report.errors, []);
  });

  it('records judge failures, unknown steps and unreported milestones as errors, never as hits', async () => {
    const milestones = [
      { id: 'a', description: 'first' },
      { id: 'b', description: 'second' },
    ];
    const failedCall = await new MilestoneDetector(milestones, fakeCaller([{ fail: 'timeout' }]).caller).detect(researchRun);
    assert.equal(failedCall.reached, 0);
    assert.ok(failedCall.milestones.every((m) => m.error?.includes('timeout')));
    assert.equal(failedCall.errors.length, 1);

    const odd = await new MilestoneDetector(milestones, fakeCaller([{ reply: { milestones: [{ id: 'a', stepId: 's99', reasoning: 'r' }] } }]).caller).detect(researchRun);
    assert.equal(odd.reached, 0);
    assert.match(odd.milestones[0].error!, /no such step/);
    assert.match(odd.milestones[1].error!, /did not report/);
    assert.equal(odd.errors.length, 2);
  });

  it('validates milestones at construction', () => {
    assert.throws(() => new MilestoneDetector([{ id: 'x', description: 'd' }]), (e: unknown) => e instanceof EvaluatorConfigError && /needs a judge/.test(e.message));
    assert.throws(() => new MilestoneDetector([{ id: 'x', description: 'd', match: 'a' }, { id: 'x', description: 'd', match: 'b' }]), /used twice/);
    assert.throws(() => new MilestoneDetector([{ id: 'x', description: 'd', match: { regex: '(' } }]), /milestones\[0\]\.match/);
  });

  it('parses milestones as a tasks file writes them', () => {
    const parsed = MilestoneSchema.array().parse([{ id: 'm1', description: 'd', match: { regex: 'x+', flags: 'i' } }, { id: 'm2', description: 'e' }]);
    assert.equal(parsed.length, 2);
    assert.equal(MilestoneSchema.safeParse({ id: 'm', description: 'd', mtach: 'x' }).success, false);
  });
});
