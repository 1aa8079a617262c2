/**
 * Algorithm 1, lines 5–7: run the MAS with the best prompt set on the batch; the evaluator scores
 * each outcome. Each trajectory carries the score its task got in its previous rollout, which
 * TRUCE's skip test reads.
 */
import type { Trajectory } from '../../trajectory/schema';
import { PREVIOUS_SCORE_ATTR } from '../../credit/types';
import type { RolledOut, Sampled } from './roundState';
import type { OptimizeRun } from './runState';

export async function rollOut(run: OptimizeRun, round: Sampled): Promise<RolledOut> {
  const { k, batch, stage } = round;
  const { lastScore } = run;
  stage('rollout');
  const roll = await run.rollouts.run(run.best, batch, 'rollout', k);
  const trajectories: Trajectory[] = roll.trajectories.map((t) => {
    const prev = lastScore.get(t.taskId);
    return prev === undefined ? t : { ...t, attrs: { ...(t.attrs ?? {}), [PREVIOUS_SCORE_ATTR]: prev } };
  });
  for (const [id, s] of roll.scores) lastScore.set(id, s);
  return { ...round, roll, trajectories };
}
