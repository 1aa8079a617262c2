import { strict as assert } from 'node:assert';
import { editPrecision } from '../../../bench/sim/figures';
import { runOptimizer } from '../../../bench/sim/runOptimizer';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { createSimResponder, World, writeSimWorkspace, type SimWorkspace } from '../../support/sim';
import { scenario } from './fixtures';

describe('simulation world: pruning accepted candidates', function () {
  this.timeout(180_000);
  // Noisy suggestions: one-off edits come along with the real fix in the accepted candidate.
  const world = new World(
    scenario({
      seed: 5,
      tasks: { train: 16, val: 40, test: 10, maxSkills: 2 },
      planted: { missing: [{ agent: 'solver', skill: 'units' }], harmful: [] },
      noise: { critic: 0.3, suggestion: 0.5, rewriteDrift: 0 },
      optimizer: { method: 'truce', rounds: 1, topK: 4, batchSize: 12 },
    }),
  );
  let server: FakeOpenAiServer;
  let ws: SimWorkspace;

  beforeEach(async () => {
    server = await start({ responder: createSimResponder(world).respond });
    ws = writeSimWorkspace(world, { baseUrl: server.url });
  });
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  async function accepted(prune: boolean) {
    const config = ws.config();
    config.optimizer = { ...config.optimizer, prune, minSupportTasks: 1 };
    const outcome = await runOptimizer({ config, workspaceRoot: ws.dir, method: 'truce', ablations: { noCredit: false, noUnits: false } });
    return outcome;
  }

  it('without pruning a useless edit rides along; with pruning only fixes stay, and the pruned edit says why', async () => {
    const loose = await accepted(false);
    const before = editPrecision(world, loose.accepted);
    assert.ok(before.precision !== null && before.precision < 1, `expected a ride-along edit without pruning, got ${JSON.stringify(before)}`);
    ws.remove();
    ws = writeSimWorkspace(world, { baseUrl: server.url });
    const pruned = await accepted(true);
    assert.deepEqual(editPrecision(world, pruned.accepted), { precision: 1, fixing: pruned.accepted.length });
    assert.ok(pruned.accepted.length >= 1, 'the real fix is still accepted');
  });
});
