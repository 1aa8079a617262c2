import { strict as assert } from 'node:assert';
import { editPrecision } from '../../../bench/sim/figures';
import { runOptimizer } from '../../../bench/sim/runOptimizer';
import { optimizeDir, readSuggestions } from '../../../src/core/optimize/optimizeStore';
import { World } from '../../support/sim';
import { worldPerTest } from '../../support/sim/worldPerTest';
import { scenario } from './fixtures';

describe('simulation world: pruning accepted candidates', function () {
  this.timeout(180_000);
  // Noisy suggestions: one-off edits come along with the real fix in the accepted candidate. The
  // world draws its noise from the seed and the text of each request, so the seed is one whose
  // draws produce a ride-along; a change to a prompt's wording can call for another seed.
  const world = new World(
    scenario({
      seed: 8,
      tasks: { train: 16, val: 40, test: 10, maxSkills: 2 },
      planted: { missing: [{ agent: 'solver', skill: 'units' }], harmful: [] },
      noise: { critic: 0.3, suggestion: 0.5, rewriteDrift: 0 },
      optimizer: { method: 'truce', rounds: 1, topK: 4, batchSize: 12 },
    }),
  );
  const live = worldPerTest(world);

  async function accepted(prune: boolean) {
    const config = live.ws.config();
    config.optimizer = { ...config.optimizer, prune, minSupportTasks: 1 };
    const outcome = await runOptimizer({ config, workspaceRoot: live.ws.dir, method: 'truce', ablations: { noCredit: false, noUnits: false } });
    return outcome;
  }

  it('without pruning a useless edit rides along; with pruning only fixes stay, and the pruned edit says why', async () => {
    const loose = await accepted(false);
    const before = editPrecision(world, loose.accepted);
    assert.ok(before.precision !== null && before.precision < 1, `expected a ride-along edit without pruning, got ${JSON.stringify(before)}`);
    live.renewWorkspace();
    const pruned = await accepted(true);
    assert.deepEqual(editPrecision(world, pruned.accepted), { precision: 1, fixing: pruned.accepted.length });
    assert.ok(pruned.accepted.length >= 1, 'the real fix is still accepted');
    // The round record says why, and the pruning test, sequential like the gate, stopped before
    // running the whole validation split (40 tasks).
    const reasons = pruned.rounds.flatMap((r) => r.pruning ?? []);
    const drop = reasons.map((r) => /^Pruned after acceptance: without it the set still beats the previous best and scores \S+ vs \S+ with it \((\d+) validation tasks, α = δ\/1 = 0\.100\)/.exec(r)).find((m) => m);
    assert.ok(drop, `no pruning reason says why: ${JSON.stringify(reasons)}`);
    assert.ok(Number(drop[1]) < 40, `the pruning test ran ${drop[1]} of 40 tasks`);
  });
});

describe('simulation world: the no-units ablation keeps each agent\'s rewrite whole', function () {
  this.timeout(180_000);
  // Noisy credit and suggestions and a drifting rewrite: rewrites carry edits that are no fixes.
  const world = new World(
    scenario({
      seed: 7,
      tasks: { train: 16, val: 40, test: 10, maxSkills: 2 },
      noise: { critic: 0.3, suggestion: 0.4, rewriteDrift: 0.3 },
      optimizer: { method: 'truce', rounds: 2, topK: 2, batchSize: 12 },
    }),
  );
  const live = worldPerTest(world);

  it('rewrites each implicated agent once per round, and accepts, rejects and prunes a rewrite only as a whole', async () => {
    const config = live.ws.config();
    config.optimizer = { ...config.optimizer, prune: true };
    const outcome = await runOptimizer({ config, workspaceRoot: live.ws.dir, method: 'truce', ablations: { noCredit: false, noUnits: true } });
    assert.deepEqual(live.sim.refused, []);
    assert.equal(outcome.status, 'completed');
    assert.equal(live.sim.counts.psi ?? 0, 0, 'no Ψ: the rewrite replaces suggest and pooling');
    assert.ok((live.sim.counts['global-rewrite'] ?? 0) > 0 && (live.sim.counts['global-rewrite'] ?? 0) <= world.agents.length * 2);
    const suggestions = await readSuggestions(optimizeDir(live.ws.dir, outcome.runId));
    const groups = new Map<string, typeof suggestions>();
    for (const s of suggestions) {
      assert.ok(s.group, `every edit of the ablation belongs to a rewrite (${s.id})`);
      groups.set(`${(s as { round?: number }).round}|${s.group}`, [...(groups.get(`${(s as { round?: number }).round}|${s.group}`) ?? []), s]);
    }
    assert.ok([...groups.values()].some((g) => g.length > 1), 'some rewrite has several edits');
    for (const [key, members] of groups) {
      assert.equal(new Set(members.map((m) => m.status)).size, 1, `one status for rewrite ${key}: ${members.map((m) => `${m.status} ${m.reason}`).join(' | ')}`);
      if (members.some((m) => /^Pruned/.test(m.reason ?? ''))) assert.ok(members.every((m) => /^Pruned.*the rewrite/.test(m.reason ?? '')), `pruned whole: ${key}`);
    }
    // This seed's run prunes a rewrite of several edits and keeps another: both happen as a whole.
    assert.ok([...groups.values()].some((g) => g.length > 1 && g.every((m) => /^Pruned/.test(m.reason ?? ''))), 'a multi-edit rewrite was pruned');
    assert.ok([...groups.values()].some((g) => g.length > 1 && g.every((m) => m.status === 'accepted')), 'a multi-edit rewrite was accepted');
    // What was accepted is exactly the union of whole rewrites.
    const acceptedIds = new Set(suggestions.filter((s) => s.status === 'accepted').map((s) => s.id));
    assert.equal(acceptedIds.size, outcome.accepted.length);
  });
});
