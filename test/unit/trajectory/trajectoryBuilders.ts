/** Small valid trajectories for tests, built field by field so each test changes only what it pins. */
import type { Step, Trajectory } from '../../../src/core/trajectory';

export function step(id: string, seq: number, overrides: Partial<Step> = {}): Step {
  return { id, seq, round: 0, agentId: 'a', kind: 'llm', output: `out ${id}`, reads: [], usage: { in: 0, out: 0 }, attrs: {}, ...overrides };
}

export function trajectory(overrides: Partial<Trajectory> = {}): Trajectory {
  return {
    runId: 'run-1',
    taskId: 'task-1',
    agents: [{ id: 'a' }, { id: 'b' }],
    rounds: [{ index: 0 }, { index: 1 }],
    steps: [step('s0', 0), step('s1', 1, { agentId: 'b', reads: ['s0'] }), step('s2', 2, { round: 1, reads: ['s1'] })],
    usage: { in: 0, out: 0 },
    ...overrides,
  };
}
