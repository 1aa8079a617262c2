/**
 * Cutting a trajectory into the sub-trajectories TRUCE assigns credit to (Algorithm 1 partitions
 * by round by default, by agent block or by window as options). Every cut is a run of consecutive
 * steps, so the parts cover each step exactly once and, read in order, give back the trajectory.
 */
import type { Step, Trajectory } from './schema';

export type PartitionMode =
  | { by: 'round' }
  /** Maximal runs of consecutive steps by one agent. */
  | { by: 'agent' }
  /** Consecutive windows of `size` steps (the last one may be shorter). */
  | { by: 'window'; size: number };

export interface SubTrajectory {
  /** 0-based position among the parts. */
  index: number;
  /** Readable label for prompts and the UI: "round 2", "planner block 3", "steps 10–19". */
  label: string;
  stepIds: string[];
  steps: Step[];
  /** First and last round the part touches (equal for a round part). */
  rounds: { first: number; last: number };
  /** Agents with a step in the part, in order of first appearance. */
  agents: string[];
}

/** Splits `steps` where `key` changes between neighbours. */
function runsBy<K>(steps: readonly Step[], key: (step: Step, position: number) => K): Step[][] {
  const runs: Step[][] = [];
  let current: Step[] = [];
  let currentKey: K | undefined;
  steps.forEach((step, position) => {
    const k = key(step, position);
    if (current.length > 0 && k !== currentKey) {
      runs.push(current);
      current = [];
    }
    current.push(step);
    currentKey = k;
  });
  if (current.length > 0) runs.push(current);
  return runs;
}

function describe(run: Step[], index: number, label: string): SubTrajectory {
  const agents: string[] = [];
  for (const s of run) if (!agents.includes(s.agentId)) agents.push(s.agentId);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const s of run) {
    first = Math.min(first, s.round);
    last = Math.max(last, s.round);
  }
  return { index, label, stepIds: run.map((s) => s.id), steps: run, rounds: { first, last }, agents };
}

/**
 * Partitions a trajectory. Pure: the trajectory is not changed and the same input always gives the
 * same parts. Rounds are contiguous in a valid trajectory, so a round part is the whole round; on
 * data where a round recurs after another one, each recurrence is its own part.
 */
export function partitionTrajectory(trajectory: Pick<Trajectory, 'steps'>, mode: PartitionMode = { by: 'round' }): SubTrajectory[] {
  const steps = trajectory.steps;
  switch (mode.by) {
    case 'round':
      return runsBy(steps, (s) => s.round).map((run, i) => describe(run, i, `round ${(run[0] as Step).round}`));
    case 'agent': {
      const blocksPerAgent = new Map<string, number>();
      return runsBy(steps, (s) => s.agentId).map((run, i) => {
        const agent = (run[0] as Step).agentId;
        const n = (blocksPerAgent.get(agent) ?? 0) + 1;
        blocksPerAgent.set(agent, n);
        return describe(run, i, `${agent} block ${n}`);
      });
    }
    case 'window': {
      if (!Number.isInteger(mode.size) || mode.size < 1) throw new RangeError(`window size must be a positive integer, got ${mode.size}`);
      const size = mode.size;
      return runsBy(steps, (_s, position) => Math.floor(position / size)).map((run, i) =>
        describe(run, i, `steps ${i * size + 1}–${i * size + run.length}`),
      );
    }
  }
}
