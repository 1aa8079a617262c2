/**
 * BCD credit, the role scores (phase A, and attribution): per task and round, a critic scores
 * every role utterance (q) and one peer-view judge per round rates all utterances together (p) and
 * may name the decisive error. Tasks known to have succeeded are not scored: gradients are asked
 * for failed tasks only and blame means nothing where the outcome was right, so their scores would
 * be calls that nothing downstream reads. The aggregators' states are observed separately
 * (roundObservations.ts).
 */
import type { MethodContext } from '../types';
import type { Trajectory } from '../../trajectory/schema';
import type { LlmClient } from '../../llm';
import type { DecisiveAnswer } from '../pickBlame';
import { criticScore, peerScores, type CallCounter } from './critics';
import type { TurnScores } from './fusion';
import { roundViews, type Utterance } from './roundView';

export interface ScoredTurn extends TurnScores {
  taskId: string;
  utterance: Utterance;
  remark?: string;
}

export interface TurnScoring {
  turns: ScoredTurn[];
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

/** The tasks whose roles are worth scoring: all but those known to have succeeded. */
export function tasksToScore(trajectories: readonly Trajectory[]): Trajectory[] {
  return trajectories.filter((t) => t.outcome?.success !== true);
}

/** Scores the role turns of every task not known to have succeeded. */
export async function scoreTurns(context: MethodContext, critic: LlmClient, trajectories: readonly Trajectory[], counter: CallCounter): Promise<TurnScoring> {
  const turns: ScoredTurn[] = [];
  const decisive: Record<string, DecisiveAnswer[]> = {};

  for (const trajectory of tasksToScore(trajectories)) {
    const taskText = trajectory.task?.input ?? '';
    const reference = trajectory.task?.reference;
    const outcome = outcomeFor(trajectory);
    for (const view of roundViews(trajectory)) {
      if (view.roles.length === 0) continue;
      const base = { task: taskText, ...(reference !== undefined ? { reference } : {}), round: view.round };
      const [qs, ps] = await Promise.all([
        Promise.all(view.roles.map((u) => criticScore(critic, context, { ...base, agentId: u.agentId, kind: 'role', text: u.text }, counter))),
        peerScores(critic, context, { ...base, ...(outcome ? { outcome } : {}), contributions: view.roles.map((u) => ({ agentId: u.agentId, text: u.text, stepIds: u.stepIds })) }, counter),
      ]);
      if (ps.decisive) (decisive[trajectory.taskId] ??= []).push(ps.decisive);
      view.roles.forEach((u, i) => {
        const q = qs[i]?.score;
        const p = ps.ratings.get(u.agentId)?.score;
        turns.push({ taskId: trajectory.taskId, agentId: u.agentId, round: view.round, utterance: u, ...(q !== undefined ? { q } : {}), ...(p !== undefined ? { p } : {}), ...(qs[i] ? { remark: qs[i]?.rationale } : {}) });
      });
    }
  }
  return { turns, decisive };
}
