/** Small trajectories for the process-metric tests. */
import type { EvalTrajectory } from '../../../src/core/eval';

/** Three rounds, two agents; 1,000,000 tokens in all (steps of 100k, 200k, 100k, 200k, 400k). */
export const researchRun: EvalTrajectory = {
  taskId: 'paper-1',
  task: { input: 'Write a short literature review on retrieval-augmented generation.' },
  agents: [
    { id: 'planner', kind: 'role' },
    { id: 'writer', kind: 'role' },
  ],
  steps: [
    { id: 's1', seq: 0, round: 0, agentId: 'planner', output: 'Plan: collect five papers, then structure them.', usage: { in: 50_000, out: 50_000 } },
    { id: 's2', seq: 1, round: 0, agentId: 'writer', output: 'I will wait for the list.', usage: { in: 100_000, out: 100_000 } },
    { id: 's3', seq: 2, round: 1, agentId: 'planner', output: 'Collected papers: RAG, REALM, RETRO, Atlas, FiD.', usage: { in: 50_000, out: 50_000 } },
    { id: 's4', seq: 3, round: 1, agentId: 'writer', output: 'Outline drafted with four sections.', usage: { in: 100_000, out: 100_000 } },
    { id: 's5', seq: 4, round: 2, agentId: 'writer', output: 'Final review written. OUTLINE v2 attached.', usage: { in: 150_000, out: 250_000 } },
  ],
};
