/**
 * The optimize projection is honest: once the workspace has run, it projects from the sizes of the
 * calls really sent and from the validation the paired gate really spent, so it lands near what an
 * optimize run spends (the first projection assumed maxTokens replies and a whole-split validation
 * every round, ~9× the spend). Before any run it still never projects less than a run spends.
 */
import { strict as assert } from 'node:assert';
import { projectOptimizeRun } from '../../../src/core/editor/projectOptimizeRun';
import { methodRegistry } from '../../../src/core/methods';
import { optimize } from '../../../src/core/optimize/optimizeLoop';
import { observeSpend, projectedPairedTasks } from '../../../src/core/optimize/optimizeProjection';
import type { CostProjection } from '../../../src/core/llm';
import { World } from '../../support/sim';
import { worldPerTest } from '../../support/sim/worldPerTest';
import { scenario } from './fixtures';

const PRICES = { pricePer1kInput: 0.00015, pricePer1kOutput: 0.0006 };

describe('optimize projection', function () {
  this.timeout(180_000);
  const world = new World(
    scenario({
      seed: 5,
      tasks: { train: 16, val: 24, test: 8, maxSkills: 2 },
      planted: { missing: [{ agent: 'solver', skill: 'units' }], harmful: [] },
      noise: { critic: 0.2, suggestion: 0.1, rewriteDrift: 0 },
      optimizer: { method: 'truce', rounds: 2, topK: 3, batchSize: 8 },
    }),
  );
  const live = worldPerTest(world);

  const priced = () => {
    const config = live.ws.config();
    return { ...config, llm: { executor: { ...config.llm.executor, ...PRICES }, optimizer: { ...(config.llm.optimizer ?? config.llm.executor), ...PRICES }, judge: { ...(config.llm.judge ?? config.llm.executor), ...PRICES } } };
  };

  it('the paired gate is projected to run the tasks its e-process needs, not the whole split', () => {
    // δ/3: six straight fixes; a candidate fixing one task in two needs 12, in whole batches of 8.
    assert.equal(projectedPairedTasks(60, 8, 0.1 / 3), 16);
    assert.equal(projectedPairedTasks(12, 8, 0.1 / 3), 12, 'never more than the split');
    // δ: four straight fixes, so 8 tasks in batches of 2.
    assert.equal(projectedPairedTasks(60, 2, 0.1), 8);
  });

  it('after a run, projects within 1.5× of what an optimize run spends', async () => {
    const config = priced();
    assert.equal(await observeSpend(live.ws.dir), undefined, 'nothing observed before the first run');
    let first: CostProjection | undefined;
    const result = await optimize({
      config,
      workspaceRoot: live.ws.dir,
      methods: methodRegistry(),
      trusted: true,
      env: {},
      onProgress: (e) => {
        if (e.type === 'started') first = e.total;
      },
    });
    assert.equal(result.status, 'completed', result.reason);
    const spent = result.usage.total;
    const spentTokens = spent.inputTokens + spent.outputTokens;
    assert.ok(first, 'the run reported its projection');
    // Before any run: an upper bound (reply caps), but validation no longer the whole split.
    assert.ok(first.inputTokens + first.outputTokens >= spentTokens, `first projection ${first.inputTokens + first.outputTokens} tokens vs ${spentTokens} spent`);

    const observed = await observeSpend(live.ws.dir);
    assert.ok(observed && observed.perCall['executor/rollout'] && observed.perCall['optimizer/psi'], `observed ${JSON.stringify(observed?.perCall)}`);
    assert.ok(observed.perCall['executor/rollout'].replyTokens < (config.llm.executor.maxTokens ?? Infinity), 'rollout replies are shorter than the cap');
    const again = await projectOptimizeRun(config, live.ws.dir, { rounds: config.optimizer.rounds });
    assert.ok(again.ok, again.ok ? '' : again.reason);
    const projected = again.plan.total;
    const ratio = (a: number, b: number) => a / Math.max(1e-12, b);
    const tokens = ratio(projected.inputTokens + projected.outputTokens, spentTokens);
    const cost = ratio(projected.costUsd, spent.costUsd);
    const calls = ratio(projected.calls, spent.calls);
    for (const [what, r] of [['tokens', tokens], ['cost', cost], ['calls', calls]] as const) {
      assert.ok(r >= 0.67 && r <= 1.5, `projected ${what} ${r.toFixed(2)}× the spend (projected ${JSON.stringify({ calls: projected.calls, tokens: projected.inputTokens + projected.outputTokens, cost: projected.costUsd })}, spent ${JSON.stringify({ calls: spent.calls, tokens: spentTokens, cost: spent.costUsd })})`);
    }
    assert.ok(projected.costUsd < first.costUsd, 'observed sizes bring the projection down');
  });
});
