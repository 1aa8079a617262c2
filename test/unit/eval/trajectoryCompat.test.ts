import { strict as assert } from 'node:assert';
import { MilestoneDetector, type EvalTrajectory } from '../../../src/core/eval';
import { TrajectorySchema, type Trajectory } from '../../../src/core/trajectory/schema';

/**
 * The process metrics take a local trajectory type so that evaluation does not depend on the full
 * schema; this pins that a parsed DESIGN.md §3 trajectory is accepted as is.
 */
describe('trajectory compatibility', () => {
  it('accepts a trajectory parsed with the full schema', async () => {
    const full: Trajectory = TrajectorySchema.parse({
      runId: 'r1',
      taskId: 't1',
      agents: [{ id: 'solver', kind: 'role' }],
      rounds: [{ index: 0 }],
      steps: [{ id: 's1', seq: 0, round: 0, agentId: 'solver', kind: 'llm', output: 'DONE', usage: { in: 10, out: 5 } }],
    });
    const local: EvalTrajectory = full;
    const report = await new MilestoneDetector([{ id: 'done', description: 'finished', match: 'done' }]).detect(local);
    assert.deepEqual([report.reached, report.tokens], [1, 15]);
  });
});
