/**
 * BCD credit, first phase: what each round's aggregator did, for the temporal credit. Per task and
 * round the task's own evaluator tells whether the aggregator's state and each role's utterance
 * hold the right answer (no LLM call). Only an informative failure — the state wrong while a role
 * was right — moves the EMA (temporalState.ts), so only those rounds are shown to the critic for
 * q^agg; scoring every state would spend a call per round and task on scores nothing reads. Each
 * scored state becomes a round-scope signal.
 */
import type { Evaluator } from '../../eval/types';
import type { LlmClient } from '../../llm';
import type { Trajectory } from '../../trajectory/schema';
import type { CreditSignal, MethodContext } from '../types';
import { isRight } from './correctness';
import { criticScore, type CallCounter } from './critics';
import { toSignedScore } from './fusion';
import { roundViews } from './roundView';
import { isInformativeFailure, type RoundObservation } from './temporalState';

/** Observes every round of every task; the scored states' round signals go to `signals`, in task and round order. */
export async function observeRounds(
  context: MethodContext,
  critic: LlmClient,
  trajectories: readonly Trajectory[],
  evaluator: Evaluator | undefined,
  counter: CallCounter,
  signals: CreditSignal[],
): Promise<RoundObservation[]> {
  const observations: RoundObservation[] = [];
  for (const trajectory of trajectories) {
    const taskText = trajectory.task?.input ?? '';
    const reference = trajectory.task?.reference;
    if (!evaluator || reference === undefined) continue;
    const evalTask = { id: trajectory.taskId, input: taskText, reference };
    const views = roundViews(trajectory).filter((v) => v.aggregator !== undefined);
    const observed = await Promise.all(
      views.map(async (view) => {
        const agg = view.aggregator as NonNullable<typeof view.aggregator>;
        const rolesRight = await Promise.all(view.roles.map((u) => isRight(evaluator, u.text, evalTask, context.signal)));
        const aggregatorRight = await isRight(evaluator, agg.text, evalTask, context.signal);
        const observation: RoundObservation = { round: view.round, aggregator: agg.agentId, aggregatorRight, rolesRight };
        const reply = isInformativeFailure(observation)
          ? await criticScore(critic, context, { task: taskText, reference, round: view.round, agentId: agg.agentId, kind: 'aggregator', text: agg.text }, counter)
          : undefined;
        if (reply) observation.aggregatorScore = reply.score;
        return { observation, reply, stepId: agg.stepId };
      }),
    );
    // Signals and observations in round order, whatever order the critic answered in.
    for (const { observation, reply, stepId } of observed) {
      observations.push(observation);
      if (!reply) continue;
      signals.push({
        scope: 'round',
        ref: String(observation.round),
        taskId: trajectory.taskId,
        score: toSignedScore(reply.score),
        text: reply.rationale,
        evidence: [stepId],
        method: 'bcd',
        parts: { q: reply.score, informativeFailure: 1 },
      });
    }
  }
  return observations;
}
