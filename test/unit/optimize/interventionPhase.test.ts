/**
 * The optimizer's intervention phase (optimizer.intervene) against the loopback fake server with
 * the simulation world behind it. The world is tiny (one MAS round, a few tasks, one optimizer
 * round) and its critic is wrong half the time, so credit is unsure of some blames: off, the
 * phase makes no call; on, it checks those blames, records them with their spend in the round
 * record, stays inside its share of the budget, and a confirmed step reaches Ψ's prompt.
 */
import { strict as assert } from 'node:assert';
import type { TruceConfig } from '../../../src/core/config';
import { methodRegistry } from '../../../src/core/methods';
import { optimize, type OptimizeProgress, type OptimizeResult } from '../../../src/core/optimize/optimizeLoop';
import type { RecordedRequest } from '../../support/fakeOpenAiServer';
import { World } from '../../support/sim';
import { worldPerTest } from '../../support/sim/worldPerTest';
import { scenario } from '../sim/fixtures';

describe('optimizer: blame checked by intervention where credit is uncertain (simulation world)', function () {
  this.timeout(120_000);
  const world = new World(
    scenario({
      rounds: 1,
      tasks: { train: 6, val: 8, test: 2, maxSkills: 2 },
      noise: { critic: 0.5, suggestion: 0 },
      optimizer: { method: 'truce', rounds: 1, topK: 2, batchSize: 6 },
    }),
  );
  const live = worldPerTest(world);

  const run = async (change: (c: TruceConfig) => TruceConfig = (c) => c): Promise<{ result: OptimizeResult; notes: string[] }> => {
    const notes: string[] = [];
    const onProgress = (e: OptimizeProgress) => {
      if (e.type === 'note') notes.push(e.message);
    };
    const result = await optimize({ config: change(live.ws.config()), workspaceRoot: live.ws.dir, trusted: true, env: {}, methods: methodRegistry(), onProgress });
    assert.deepEqual(live.sim.refused, []);
    return { result, notes };
  };
  const enabled = (extra: Partial<TruceConfig['optimizer']['intervene']> = {}) => (c: TruceConfig): TruceConfig => ({ ...c, optimizer: { ...c.optimizer, intervene: { ...c.optimizer.intervene, enabled: true, candidates: 3, ...extra } } });
  const psiPrompts = (requests: RecordedRequest[]) =>
    requests
      .map((r) => (r.body as { messages?: Array<{ content?: string }> }).messages ?? [])
      .filter((m) => (m[0]?.content ?? '').startsWith('[truce:psi]'))
      .map((m) => m[1]?.content ?? '');

  it('is off by default: no correction call, no re-run, nothing spent or recorded under intervention', async () => {
    assert.equal(live.ws.config().optimizer.intervene.enabled, false);
    const { result } = await run();
    assert.equal(live.sim.counts.correction ?? 0, 0);
    assert.equal(result.usage.byPhase.intervention, undefined);
    assert.ok(result.rounds.every((r) => r.interventions === undefined));
  });

  it('on: checks the uncertain blames, records each with its spend, charges them as their own phase, and a confirmed step reaches Ψ', async () => {
    const { result } = await run(enabled());
    const checks = result.rounds.flatMap((r) => r.interventions ?? []);
    assert.ok(checks.length > 0, 'the noisy critic leaves some blame uncertain');
    assert.equal(live.sim.counts.correction, checks.length, 'one correction call per intervention');
    for (const c of checks) {
      assert.ok(c.why.length > 0 && c.runs >= 0 && c.flips <= c.runs);
      assert.ok(c.spend.calls >= 1, 'an intervention costs at least its correction call');
    }
    const spent = checks.reduce((n, c) => n + c.spend.calls, 0);
    assert.equal(result.usage.byPhase.intervention?.calls, spent, 'the phase spend is what the interventions spent');
    assert.equal(result.rounds[0]?.usage.intervention?.calls, spent, 'the round record keeps it as its own phase');
    const confirmed = checks.filter((c) => c.verdict === 'confirmed');
    assert.ok(confirmed.length > 0, 'in a one-round MAS correcting the decisive step saves the task');
    const prompts = psiPrompts(live.server.requests);
    for (const c of confirmed) {
      const told = prompts.filter((p) => p.includes(`<agent id="${c.agentId}"`) && p.includes('Checked by intervention') && p.includes(`[steps: ${c.stepId}]`));
      assert.ok(told.length > 0, `Ψ is told that ${c.stepId} of task ${c.taskId} was confirmed`);
    }
  });

  it('says once that it cannot check GBC credit, which blames no step, and spends nothing on it', async () => {
    const { result, notes } = await run((c) => enabled()({ ...c, optimizer: { ...c.optimizer, method: 'gbc', rounds: 2 } }));
    assert.equal(result.rounds.length, 2, 'both rounds ran');
    assert.equal(notes.filter((n) => n.startsWith('intervention: skipped')).length, 1, 'said once, not every round');
    assert.equal(live.sim.counts.correction ?? 0, 0);
    assert.equal(result.usage.byPhase.intervention, undefined);
  });

  it('never spends more than its share of the budget, and says when the share is used up', async () => {
    const maxCalls = 400;
    const maxShare = 0.02;
    const { result, notes } = await run((c) => enabled({ maxShare })({ ...c, budget: { ...c.budget, maxCalls } }));
    const cap = Math.floor(maxCalls * maxShare);
    const spent = result.usage.byPhase.intervention?.calls ?? 0;
    assert.ok(spent > 0, 'some intervention ran');
    assert.ok(spent <= cap, `interventions spent ${spent} calls, over their share of ${cap}`);
    assert.ok(notes.some((n) => /share of the budget .* is used up|do not fit what is left of the phase's share/.test(n)), 'the phase says when its share stops an intervention');
  });
});
