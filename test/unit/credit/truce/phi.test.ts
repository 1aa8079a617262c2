import { strict as assert } from 'node:assert';
import { planPhiBatches, readPhiReply, type PhiPart } from '../../../../src/core/credit/truce/phiCredit';
import { implicatedSteps } from '../../../../src/core/credit/truce/psiSuggest';
import { tasksWithSignal, PREVIOUS_SCORE_ATTR } from '../../../../src/core/credit/truce/skip';
import { deriveUnitCredit, summarizeUnitCredit } from '../../../../src/core/credit/truce/unitCredit';
import { phiReplySchema } from '../../../../src/core/credit/truce/prompts/phi';
import { partitionTrajectory } from '../../../../src/core/trajectory';
import type { Trajectory } from '../../../../src/core/trajectory/schema';
import { parsePromptDocument } from '../../../../src/core/units';
import { exampleTexts, raw } from '../../optimize/fixtures';

function trajectory(taskId: string, score: number, extra: Partial<Trajectory> = {}): Trajectory {
  const step = (id: string, round: number, agentId: string) => ({ id, seq: 0, round, agentId, kind: 'llm' as const, output: `${agentId} says`, reads: [], usage: { in: 0, out: 0 }, attrs: {} });
  const steps = [step('r1.proposer', 1, 'proposer'), step('r1.skeptic', 1, 'skeptic'), step('r1.agg', 1, 'aggregator'), step('r2.proposer', 2, 'proposer'), step('final', 2, 'judge')].map((s, i) => ({ ...s, seq: i }));
  return { runId: 'r', taskId, agents: [], rounds: [], steps, outcome: { score, success: score >= 1, details: {} }, usage: { in: 0, out: 0 }, ...extra };
}

describe('TRUCE Φ: batching, skipping and reading replies', () => {
  it('skips every task of a clean sweep, but keeps a regressed one and all tasks of a mixed batch', () => {
    const sweep = tasksWithSignal([trajectory('a', 1), trajectory('b', 1)]);
    assert.deepEqual(sweep.kept, []);
    assert.equal(sweep.skipped.length, 2);
    const regressed = tasksWithSignal([trajectory('a', 1), trajectory('b', 1, { attrs: { [PREVIOUS_SCORE_ATTR]: 1.5 } })]);
    assert.deepEqual(regressed.kept.map((t) => t.taskId), ['b']);
    const mixed = tasksWithSignal([trajectory('a', 1), trajectory('b', 0)]);
    assert.deepEqual(mixed.kept.map((t) => t.taskId), ['a', 'b']);
    const failed = tasksWithSignal([trajectory('c', 0, { outcome: { score: 0, success: false, details: { failed: true, reason: 'boom' } } })]);
    assert.match(failed.skipped[0].reason, /boom/);
  });

  it('puts all parts of a task in one call when they fit, and splits consecutively when they do not', () => {
    const parts = partitionTrajectory(trajectory('a', 0));
    assert.equal(parts.length, 2);
    assert.deepEqual(planPhiBatches(parts, (b) => b.length * 100, 1000).map((b) => b.length), [2]);
    assert.deepEqual(planPhiBatches(parts, (b) => b.length * 100, 150).map((b) => b.map((p) => p.index)), [[0], [1]]);
  });

  it('drops step ids that do not exist and answers for parts it was not asked about, with notes', () => {
    const parts = partitionTrajectory(trajectory('a', 0));
    const notes: string[] = [];
    const reply = phiReplySchema.parse({
      parts: [
        { index: 0, progress: 0.2, coordination: -0.5, stage: 0, overall: -0.4, summary: 's', highlights: [], issues: [{ stepIds: ['r1.skeptic', 'r7.ghost', 'final'], text: 'did not quote' }] },
        { index: 5, progress: 0, coordination: 0, stage: 0, overall: 0, summary: 'x', highlights: [], issues: [] },
      ],
    });
    const read = readPhiReply(reply, [parts[0]], 'a', (m) => notes.push(m));
    assert.equal(read.length, 1);
    assert.deepEqual(read[0].points[0].stepIds, ['r1.skeptic']);
    assert.ok(notes.some((n) => /r7\.ghost/.test(n) && /final/.test(n)));
    assert.ok(notes.some((n) => /part 5/.test(n)));
  });

  it('rejects replies with scores out of range or missing fields at the schema', () => {
    assert.equal(phiReplySchema.safeParse({ parts: [{ index: 0, progress: 3, coordination: 0, stage: 0, overall: 0, summary: 's', highlights: [], issues: [] }] }).success, false);
    assert.equal(phiReplySchema.safeParse({ parts: [{ index: 0 }] }).success, false);
    assert.equal(phiReplySchema.safeParse('garbage').success, false);
  });
});

describe('TRUCE Ψ: which agents are asked', () => {
  const part = (points: PhiPart['points']): PhiPart => ({ index: 0, label: 'round 1', stepIds: [], agents: [], progress: 0, coordination: 0, stage: 0, overall: 0, summary: '', points });
  const parts = [
    part([
      { kind: 'issue', text: 'skipped the check', stepIds: ['r1.skeptic'] },
      { kind: 'highlight', text: 'kept the right answer', stepIds: ['r1.proposer', 'r2.proposer'] },
    ]),
  ];

  it('on a failed task, only agents Φ blamed; a merely praised one is not asked', () => {
    const failed = trajectory('a', 0);
    assert.deepEqual(implicatedSteps(failed, 'skeptic', parts), ['r1.skeptic']);
    assert.deepEqual(implicatedSteps(failed, 'proposer', parts), []);
  });

  it('on a successful task, praised agents are asked too (a rule can come from what went well)', () => {
    const passed = trajectory('a', 1);
    assert.deepEqual(implicatedSteps(passed, 'proposer', parts), ['r1.proposer', 'r2.proposer']);
    assert.deepEqual(implicatedSteps(passed, 'skeptic', parts), ['r1.skeptic']);
  });

  it('without credit (ablated), every agent with steps', () => {
    assert.deepEqual(implicatedSteps(trajectory('a', 0), 'proposer', undefined), ['r1.proposer', 'r2.proposer']);
    assert.deepEqual(implicatedSteps(trajectory('a', 0), 'aggregator', []), []);
  });
});

describe('TRUCE unit credit', () => {
  const doc = parsePromptDocument(exampleTexts()['agents.yaml'], { uri: 'agents.yaml' });
  const skeptic = doc.agents.find((a) => a.id === 'skeptic')!;
  const quoteRule = skeptic.units.find((u) => /Quote the sentence/.test(u.text))!;
  const weakest = skeptic.units.find((u) => /weakest step/.test(u.text))!;
  const parts: PhiPart[] = [
    {
      index: 0,
      label: 'round 1',
      stepIds: ['r1.proposer', 'r1.skeptic'],
      agents: ['proposer', 'skeptic'],
      progress: 0,
      coordination: 0,
      stage: 0,
      overall: -0.8,
      summary: 's',
      points: [
        { kind: 'issue', text: 'The skeptic did not quote the sentence it disagreed with.', stepIds: ['r1.skeptic'] },
        { kind: 'highlight', text: 'The skeptic went after the weakest step of the argument.', stepIds: ['r1.skeptic'] },
      ],
    },
  ];
  const stepAgent = new Map([['t1', new Map([['r1.proposer', 'proposer'], ['r1.skeptic', 'skeptic']])]]);

  it('blames a rule Ψ targets and one an issue describes, credits one a highlight describes, and leaves the others without a signal', () => {
    const target = { ...raw('t1', 'MODIFY', { agentId: 'skeptic', target: quoteRule.id, text: 'Quote it.', steps: ['r1.skeptic'] }) };
    const signals = deriveUnitCredit(['t1'], new Map([['t1', parts]]), [target], [{ agentId: 'skeptic', prompt: skeptic }], stepAgent);
    const byUnit = new Map(signals.map((s) => [s.ref, s]));
    assert.ok(byUnit.get(quoteRule.id)!.score < 0);
    assert.equal(byUnit.get(quoteRule.id)!.parts?.targeted, 1);
    assert.ok(byUnit.get(weakest.id)!.score > 0);
    assert.ok(signals.every((s) => s.scope === 'unit' && s.evidence.length > 0));
    assert.equal(signals.length, 2);
    const table = summarizeUnitCredit(signals);
    assert.equal(table[0].unitId, quoteRule.id);
  });
});
