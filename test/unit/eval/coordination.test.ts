import { strict as assert } from 'node:assert';
import { COORDINATION_PROMPT_VERSION, CoordinationJudge, renderTrajectory } from '../../../src/core/eval';
import { fakeCaller } from './fakeCaller';
import { researchRun } from './trajectories';

const dim = (score: number, reasoning = 'because') => ({ reasoning, score });

describe('coordination score', () => {
  it('is the mean of communication, role adherence and planning, each kept with its reasoning', async () => {
    const fake = fakeCaller([{ reply: { communication: dim(0.9, 'answers questions (s2)'), roleAdherence: dim(0.6), planning: dim(0.3) } }]);
    const r = await new CoordinationJudge(fake.caller).score(researchRun);
    assert.ok(Math.abs(r.score - 0.6) < 1e-12);
    assert.equal(r.success, true);
    assert.equal(r.dimensions?.communication.reasoning, 'answers questions (s2)');
    assert.equal((r.details as { promptVersion: string }).promptVersion, COORDINATION_PROMPT_VERSION);
    assert.equal(fake.calls[0].meta.purpose, 'coordination');
  });

  it('shows the judge every step with its id, agent and round, plus the task and guidance', async () => {
    const fake = fakeCaller([{ reply: { communication: dim(1), roleAdherence: dim(1), planning: dim(1) } }]);
    await new CoordinationJudge(fake.caller, { guidance: 'Writers must not plan.' }).score(researchRun);
    const user = fake.calls[0].messages[1].content;
    for (const id of ['s1', 's2', 's3', 's4', 's5']) assert.ok(user.includes(`<step id="${id}"`), id);
    assert.ok(user.includes('## Round 2') && user.includes('agent="writer"'));
    assert.ok(user.includes('literature review') && user.includes('Writers must not plan.'));
  });

  it('records a failed judge call as an error and gives no dimensions', async () => {
    const fake = fakeCaller([{ fail: 'model refused' }]);
    const r = await new CoordinationJudge(fake.caller).score(researchRun);
    assert.deepEqual([r.score, r.success, r.dimensions], [0, false, undefined]);
    assert.equal(r.error?.kind, 'judge-failed');
  });

  it('rejects a reply that omits a dimension', async () => {
    const fake = fakeCaller([{ reply: { communication: dim(1), planning: dim(1) } }]);
    const r = await new CoordinationJudge(fake.caller).score(researchRun);
    assert.equal(r.error?.kind, 'judge-failed');
  });

  it('fits long trajectories into the character budget, giving every step a share', () => {
    const long = { steps: Array.from({ length: 40 }, (_, i) => ({ id: `s${i}`, round: Math.floor(i / 4), agentId: 'a', output: `B${i}${'x'.repeat(10_000)}E${i}` })) };
    const text = renderTrajectory(long, { maxChars: 20_000 });
    assert.ok(text.length < 40_000);
    assert.ok(text.includes('B39') && text.includes('E39') && text.includes('B0'));
  });
});
