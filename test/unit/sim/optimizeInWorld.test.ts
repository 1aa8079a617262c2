import { strict as assert } from 'node:assert';
import { defectRecall, editPrecision } from '../../../bench/sim/figures';
import { runOptimizer } from '../../../bench/sim/runOptimizer';
import { World } from '../../support/sim';
import { worldPerTest } from '../../support/sim/worldPerTest';
import { scenario } from './fixtures';

describe('simulation world: the optimizer loop against a noise-free world', function () {
  // A whole optimize run: rollouts of the batch, credit, suggestions, val and test rollouts.
  this.timeout(120_000);
  const world = new World(
    scenario({
      tasks: { train: 12, val: 30, test: 10, maxSkills: 2 },
      planted: { missing: [{ agent: 'solver', skill: 'units' }], harmful: [] },
      noise: { critic: 0, suggestion: 0, rewriteDrift: 0 },
      optimizer: { method: 'truce', rounds: 1, topK: 2, batchSize: 8 },
    }),
  );
  const live = worldPerTest(world);

  it('recovers the planted missing rule with nothing but fixes accepted, and every call is one the world knows', async () => {
    const outcome = await runOptimizer({ config: live.ws.config(), workspaceRoot: live.ws.dir, method: 'truce', ablations: { noCredit: false, noUnits: false } });
    assert.deepEqual(live.sim.refused, []);
    assert.equal(outcome.status, 'completed');
    const byAgent = Object.fromEntries(world.agents.map((a) => [a, outcome.bestPrompts[live.ws.promptFiles[a]]]));
    assert.equal(defectRecall(world, byAgent).recall, 1, 'the units rule is back in the solver');
    assert.deepEqual(editPrecision(world, outcome.accepted), { precision: 1, fixing: outcome.accepted.length });
    assert.ok((live.sim.counts.phi ?? 0) > 0 && (live.sim.counts.psi ?? 0) > 0, 'credit and suggestion calls were made');
    assert.equal(outcome.reported.test.after, 1);
  });

  it('asks for no credit in the no-credit ablation', async () => {
    await runOptimizer({ config: live.ws.config(), workspaceRoot: live.ws.dir, method: 'truce', ablations: { noCredit: true, noUnits: false } });
    assert.deepEqual(live.sim.refused, []);
    assert.equal(live.sim.counts.phi ?? 0, 0);
    assert.ok((live.sim.counts.psi ?? 0) > 0);
  });
});
