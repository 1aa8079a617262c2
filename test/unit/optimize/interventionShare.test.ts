/**
 * The intervention phase's parts that make no call: its share of the budget and the bound shown
 * before a run starts, which blames count as uncertain, and what a finding changes in the credit
 * Ψ reads.
 */
import { strict as assert } from 'node:assert';
import type { TruceConfig } from '../../../src/core/config';
import type { PhiPart } from '../../../src/core/credit/truce/phiCredit';
import type { CreditReport, RawSuggestion } from '../../../src/core/credit/types';
import { projectOptimizeRun } from '../../../src/core/editor/projectOptimizeRun';
import { applyFindings, withoutRefutedAgents } from '../../../src/core/optimize/blameFindings';
import { limitsLeft } from '../../../src/core/llm';
import { capUsedUp, interventionCap } from '../../../src/core/optimize/interventionShare';
import type { RoundIntervention } from '../../../src/core/optimize/optimizeTypes';
import { uncertainBlames } from '../../../src/core/optimize/uncertainBlame';
import { describeSpendPlan } from '../../../src/core/run/spendPlan';
import type { Trajectory } from '../../../src/core/trajectory/schema';
import { World, writeSimWorkspace } from '../../support/sim';
import { scenario } from '../sim/fixtures';

const part = (index: number, overall: number, stepIds: string[], issues: Array<{ text: string; stepIds: string[] }>): PhiPart => ({
  index,
  label: `part ${index}`,
  stepIds,
  agents: [],
  progress: 0,
  coordination: 0,
  stage: 0,
  overall,
  summary: '',
  points: issues.map((i) => ({ kind: 'issue' as const, ...i })),
});

const failed = (taskId: string, steps: Array<[string, string]>): Trajectory => ({
  usage: {} as Trajectory['usage'],
  runId: 'r',
  taskId,
  agents: [],
  rounds: [],
  steps: steps.map(([id, agentId], seq) => ({ id, seq, agentId, kind: 'message', input: [], output: '', reads: [], usage: { in: 0, out: 0 }, attrs: {} })) as unknown as Trajectory['steps'],
  outcome: { score: 0, success: false, details: {} },
});

const check = (over: Partial<RoundIntervention>): RoundIntervention => ({ taskId: 't1', stepId: 's1', agentId: 'a', why: 'w', runId: 'r', interventionId: 'i', runs: 2, flips: 0, verdict: 'refuted', spend: { calls: 3, inputTokens: 0, outputTokens: 0, costUsd: 0 }, correction: 'Answer: B', ...over });

describe('intervention phase: share, uncertainty and findings', () => {
  it('takes its share of every cap set, of the projected calls when none is, and is used up at the cap', () => {
    assert.deepEqual(interventionCap({ maxCalls: 1000, maxCostUsd: 2 }, 0.2, 5000), { maxCalls: 200, maxCostUsd: 0.4 });
    assert.deepEqual(interventionCap({}, 0.1, 640), { maxCalls: 64 });
    const cap = { maxCalls: 20 };
    assert.equal(capUsedUp(limitsLeft(cap, { calls: 19, tokens: 0, costUsd: 0 })), false);
    assert.equal(capUsedUp(limitsLeft(cap, { calls: 20, tokens: 0, costUsd: 0 })), true);
  });

  it('is projected and shown before the run only when on, bounded by its share', async () => {
    const world = new World(scenario({ tasks: { train: 8, val: 8, test: 4, maxSkills: 2 } }));
    const ws = writeSimWorkspace(world, { baseUrl: 'http://127.0.0.1:9' });
    try {
      const base = ws.config();
      const off = await projectOptimizeRun(base, ws.dir, { rounds: 3 });
      assert.ok(off.ok);
      assert.equal(off.plan.total.byPhase.intervention, undefined);
      const on: TruceConfig = { ...base, budget: { maxCalls: 1000 }, optimizer: { ...base.optimizer, intervene: { ...base.optimizer.intervene, enabled: true, maxShare: 0.05 } } };
      const projected = await projectOptimizeRun(on, ws.dir, { rounds: 3 });
      assert.ok(projected.ok);
      const calls = projected.plan.total.byPhase.intervention?.calls ?? 0;
      assert.ok(calls > 0 && calls <= 50, `projected ${calls} intervention calls, within 5% of 1000`);
      const lines = describeSpendPlan({ what: 'optimize', projection: projected.plan.total, complete: true, limits: { maxCalls: 1000 }, spent: { calls: 0, tokens: 0, costUsd: 0 } });
      assert.ok(lines.some((l) => l.includes(`at most ${calls} calls`) && l.includes('optimizer.intervene')));
    } finally {
      ws.remove();
    }
  });

  it('counts a blame as uncertain when the critic cites no step of it or it is weakly held, and lists credit’s candidates in order', () => {
    const t1 = failed('t1', [['s1', 'a'], ['s2', 'b'], ['s3', 'c']]);
    const t2 = failed('t2', [['s1', 'a'], ['s2', 'b']]);
    const t3 = failed('t3', [['s1', 'a'], ['s2', 'b']]);
    const report: CreditReport = {
      method: 'truce',
      signals: [],
      details: {
        blame: { t1: { agent: 'b', stepId: 's2', source: 'decisive', confidence: 0.8 }, t2: { agent: 'a', stepId: 's1', source: 'decisive', confidence: 0.8 }, t3: { agent: 'a', stepId: 's1', source: 'decisive', confidence: 0.3 } },
        phi: { t1: [part(0, 0.2, ['s1'], [{ text: 'x', stepIds: ['s1'] }]), part(1, -0.7, ['s2', 's3'], [{ text: 'y', stepIds: ['s3'] }])], t2: [part(0, -0.7, ['s1', 's2'], [{ text: 'z', stepIds: ['s1'] }])], t3: [part(0, -0.7, ['s1'], [{ text: 'z', stepIds: ['s1'] }])] },
      },
    };
    const found = uncertainBlames(report, [t1, t2, t3], 0.5, 3);
    assert.ok('uncertain' in found);
    assert.deepEqual(found.uncertain.map((u) => [u.taskId, u.candidates]), [['t1', ['s2', 's3', 's1']], ['t3', ['s1']]]);
    // An issue citing two steps of one agent: its later repetition is corrected first, then the
    // step as named (a team that followed the first mistake is not saved by mending the repeat).
    const repeated = failed('t4', [['s1', 'a'], ['s2', 'b'], ['s3', 'a']]);
    const again: CreditReport = { method: 'truce', signals: [], details: { blame: { t4: { agent: 'a', stepId: 's1', source: 'verdict' } }, phi: { t4: [part(0, -0.7, ['s1', 's2', 's3'], [{ text: 'a skipped it', stepIds: ['s1', 's3'] }, { text: 'b', stepIds: ['s2'] }])] } } };
    const found4 = uncertainBlames(again, [repeated], 0.5, 3);
    assert.ok('uncertain' in found4);
    assert.deepEqual(found4.uncertain[0]?.candidates, ['s3', 's1', 's2']);
    assert.match(found.uncertain[0]?.why ?? '', /no issue the critic raised cites/);
    assert.match(found.uncertain[1]?.why ?? '', /confidence 0\.30/);
    assert.ok('unsupported' in uncertainBlames({ method: 'gbc', signals: [] }, [t1], 0.5, 3));
  });

  it('a confirmed step becomes the blame and an issue Ψ sees; a refuted one leaves the issues that cite only it', () => {
    const report: CreditReport = {
      method: 'truce',
      signals: [],
      details: { blame: { t1: { agent: 'a', stepId: 's1', source: 'decisive', why: 'd' } }, phi: { t1: [part(0, -0.7, ['s1', 's2'], [{ text: 'only s1', stepIds: ['s1'] }, { text: 'both', stepIds: ['s1', 's2'] }])] } },
    };
    applyFindings(report, [check({ stepId: 's1', verdict: 'refuted' }), check({ stepId: 's2', agentId: 'b', verdict: 'confirmed', flips: 2 })]);
    const details = report.details as { phi: Record<string, PhiPart[]>; blame: Record<string, { stepId: string; source: string }> };
    const points = details.phi.t1?.[0]?.points ?? [];
    assert.deepEqual(points.map((p) => [p.text.slice(0, 24), p.stepIds]), [['both', ['s2']], ['Checked by intervention:', ['s2']]]);
    assert.equal(details.blame.t1?.stepId, 's2');
    assert.equal(details.blame.t1?.source, 'intervention');
  });

  it('drops the edits of an agent refuted on a task only when another agent’s confirmed step explains it', () => {
    const raw = (taskId: string, agentId: string) => ({ taskId, edit: { op: 'ADD', agentId, newText: 'r' } }) as unknown as RawSuggestion;
    const raws = [raw('t1', 'a'), raw('t1', 'b'), raw('t2', 'a')];
    const notes: string[] = [];
    assert.equal(withoutRefutedAgents(raws, [check({ agentId: 'a', verdict: 'refuted' })], (n) => notes.push(n)).length, 3, 'a refutation alone drops nothing');
    const kept = withoutRefutedAgents(raws, [check({ agentId: 'a', verdict: 'refuted' }), check({ stepId: 's2', agentId: 'b', verdict: 'confirmed', flips: 2 })], (n) => notes.push(n));
    assert.deepEqual(kept.map((r) => `${r.taskId}/${r.edit.agentId}`), ['t1/b', 't2/a']);
    assert.equal(notes.length, 1);
  });
});
