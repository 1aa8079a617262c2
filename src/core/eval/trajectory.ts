/**
 * The slice of a trajectory (DESIGN.md §3) that the process metrics read. Declared here rather
 * than imported so evaluation does not wait on, or break with, the full trajectory schema; the
 * full `Trajectory` type is structurally assignable to `EvalTrajectory` (a unit test pins that).
 */

export interface EvalUsage {
  in: number;
  out: number;
  /** Set by sources that only report a total; authoritative when present. */
  total?: number;
}

export interface EvalStep {
  id: string;
  /** Position in the trajectory; array order is used when absent. */
  seq?: number;
  round: number;
  agentId: string;
  kind?: string;
  output: string;
  usage?: EvalUsage;
}

export interface EvalAgent {
  id: string;
  kind?: string;
  name?: string;
}

export interface EvalTrajectory {
  taskId?: string;
  task?: { input: string; reference?: string };
  agents?: readonly EvalAgent[];
  rounds?: readonly { index: number }[];
  steps: readonly EvalStep[];
  usage?: EvalUsage;
}

export function tokensOf(usage: EvalUsage | undefined): number {
  if (!usage) return 0;
  return usage.total ?? usage.in + usage.out;
}

/** Steps in execution order: by `seq` when every step has one, else as stored. */
export function orderedSteps(trajectory: EvalTrajectory): EvalStep[] {
  const steps = [...trajectory.steps];
  if (steps.every((s) => typeof s.seq === 'number')) steps.sort((a, b) => a.seq! - b.seq!);
  return steps;
}

/**
 * Tokens the whole execution used. The trajectory-level figure wins when it is set because it can
 * include calls no step records (retries, an aggregator logged elsewhere); otherwise the steps add up.
 */
export function trajectoryTokens(trajectory: EvalTrajectory): number {
  const total = tokensOf(trajectory.usage);
  return total > 0 ? total : trajectory.steps.reduce((sum, s) => sum + tokensOf(s.usage), 0);
}

/** Distinct rounds that happened, from the round list and from the steps. */
export function roundIndexes(trajectory: EvalTrajectory): number[] {
  const set = new Set<number>(trajectory.steps.map((s) => s.round));
  for (const r of trajectory.rounds ?? []) set.add(r.index);
  return [...set].sort((a, b) => a - b);
}
