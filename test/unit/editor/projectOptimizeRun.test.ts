import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '../../../src/core/config';
import { projectOptimizeRun } from '../../../src/core/editor/projectOptimizeRun';

const workspace = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'workspace');

async function fixtureConfig() {
  const parsed = parseConfig(await readFile(join(workspace, 'truce.yaml'), 'utf8'), { workspaceRoot: workspace });
  assert.ok(parsed.ok, 'the fixture truce.yaml should parse');
  return parsed.config;
}

describe('optimize projection before a run', () => {
  it('projects calls for the split of the fixture, growing with the rounds', async () => {
    const config = await fixtureConfig();
    const one = await projectOptimizeRun(config, workspace, { rounds: 1 });
    const three = await projectOptimizeRun(config, workspace, { rounds: 3 });
    assert.ok(one.ok && three.ok);
    assert.deepEqual([one.plan.batch > 0, one.plan.val, one.plan.test], [true, 1, 1]);
    assert.ok(one.plan.total.calls > 0);
    assert.ok(three.plan.total.calls > one.plan.total.calls, `${three.plan.total.calls} vs ${one.plan.total.calls}`);
    assert.ok(one.plan.total.byPhase.rollout, 'rollouts are part of the projection');
  });

  it('explains a missing tasks file instead of throwing', async () => {
    const config = await fixtureConfig();
    const result = await projectOptimizeRun({ ...config, tasks: { ...config.tasks, file: 'missing.jsonl' } }, workspace, { rounds: 1 });
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /missing\.jsonl/);
  });
});
