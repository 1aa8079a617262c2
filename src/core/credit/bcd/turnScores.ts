/**
 * BCD credit, first phase: the scores of every turn. Per task and round, a critic scores every
 * role utterance (q) and the aggregator's state (q^agg); one peer-view judge per round rates all
 * utterances together (p) and may name the decisive error. Each aggregator state is observed for
 * the temporal credit (was it wrong while a role was right: an informative failure) and becomes a
 * round-scope signal.
 */
import type { Evaluator } from '../../eval/types';
import type { CreditSignal, MethodContext } from '../types';
import type { Trajectory } from '../../trajectory/schema';
import type { LlmClient } from '../../llm';
import type { DecisiveAnswer } from '../pickBlame';
import { isRight } from './correctness';
import { criticScore, peerScores, type CallCounter, type PeerView } from './critics';
import { toSignedScore, type TurnScores } from './fusion';
import { roundViews, type Utterance } from './roundView';
import type { RoundObservation } from './temporalState';

export interface ScoredTurn extends TurnScores {
  taskId: string;
  utterance: Utterance;
  remark?: string;
}

export interface TurnScoring {
  turns: ScoredTurn[];
  observations: RoundObservation[];
  /** Decisive errors the peer views named, by task. */
  decisive: Record<string, DecisiveAnswer[]>;
}

/** The final answer and its verdict, for the peer view; undefined when the task was not evaluated. */
function outcomeFor(trajectory: Trajectory): { answer?: string; success: boolean } | undefined {
  const o = trajectory.outcome;
  if (!o) return undefined;
  const answer = o.details.answer ?? o.details.extracted;
  return { success: o.success, ...(typeof answer === 'string' ? { answer } : {}) };
}

/** Scores the turns of every task; the aggregators' round signals go to `signals`, in task and round order. */
export async function scoreTurns(context: MethodContext, critic: LlmClient, trajectories: readonly Trajectory[], evaluator: Evaluator | undefined, counter: CallCounter, signals: CreditSignal[]): Promise<TurnScoring> {
  const turns: ScoredTurn[] = [];
  const observations: RoundObservation[] = [];
  const decisive: Record<string, DecisiveAnswer[]> = {};

  for (const trajectory of trajectories) {
    const taskText = trajectory.task?.input ?? '';
    const reference = trajectory.task?.reference;
    const evalTask = { id: trajectory.taskId, input: taskText, ...(reference !== undefined ? { reference } : {}) };
    const outcome = outcomeFor(trajectory);
    for (const view of roundViews(trajectory)) {
      const base = { task: taskText, ...(reference !== undefined ? { reference } : {}), round: view.round };
      const [qs, ps, aggReply] = await Promise.all([
        Promise.all(view.roles.map((u) => criticScore(critic, context, { ...base, agentId: u.agentId, kind: 'role', text: u.text }, counter))),
        view.roles.length
          ? peerScores(critic, context, { ...base, ...(outcome ? { outcome } : {}), contributions: view.roles.map((u) => ({ agentId: u.agentId, text: u.text, stepIds: u.stepIds })) }, counter)
          : Promise.resolve({ ratings: new Map<string, { score: number; rationale: string }>() } as PeerView),
        view.aggregator ? criticScore(critic, context, { ...base, agentId: view.aggregator.agentId, kind: 'aggregator', text: view.aggregator.text }, counter) : Promise.resolve(undefined),
      ]);
      if (ps.decisive) (decisive[trajectory.taskId] ??= []).push(ps.decisive);
      view.roles.forEach((u, i) => {
        const q = qs[i]?.score;
        const p = ps.ratings.get(u.agentId)?.score;
        turns.push({ taskId: trajectory.taskId, agentId: u.agentId, round: view.round, utterance: u, ...(q !== undefined ? { q } : {}), ...(p !== undefined ? { p } : {}), ...(qs[i] ? { remark: qs[i]?.rationale } : {}) });
      });
      if (view.aggregator) {
        const agg = view.aggregator;
        const rolesRight = evaluator && reference !== undefined ? await Promise.all(view.roles.map((u) => isRight(evaluator, u.text, evalTask, context.signal))) : view.roles.map(() => undefined);
        const aggregatorRight = evaluator && reference !== undefined ? await isRight(evaluator, agg.text, evalTask, context.signal) : undefined;
        observations.push({ round: view.round, aggregator: agg.agentId, ...(aggReply ? { aggregatorScore: aggReply.score } : {}), ...(aggregatorRight !== undefined ? { aggregatorRight } : {}), rolesRight });
        if (aggReply) {
          signals.push({
            scope: 'round',
            ref: String(view.round),
            taskId: trajectory.taskId,
            score: toSignedScore(aggReply.score),
            text: aggReply.rationale,
            evidence: [agg.stepId],
            method: 'bcd',
            parts: { q: aggReply.score, informativeFailure: aggregatorRight === false && rolesRight.some((r) => r === true) ? 1 : 0 },
          });
        }
      }
    }
  }
  return { turns, observations, decisive };
}
