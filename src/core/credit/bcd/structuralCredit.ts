/**
 * BCD credit, second phase: structural credit per task. Each role's credit c = λq + (1−λ)p,
 * averaged over its rounds, becomes an agent-scope signal; the blamed step is the decisive error a
 * peer view placed in its round, read by the same pick as TRUCE's, or without one the weakest
 * agent's worst-credited turn.
 */
import type { CreditSignal } from '../types';
import type { Trajectory } from '../../trajectory/schema';
import { pickBlame } from '../pickBlame';
import { fuseCredit, lowestCredit, roleCredits, toSignedScore } from './fusion';
import type { ScoredTurn, TurnScoring } from './turnScores';

/** Appends each task's role-credit signals to `signals`; returns the blamed step per task. */
export function structuralCredit(trajectories: readonly Trajectory[], scoring: TurnScoring, lambda: number, signals: CreditSignal[]): Record<string, { agent: string; stepId: string }> {
  const { turns, decisive } = scoring;
  const blame: Record<string, { agent: string; stepId: string }> = {};
  for (const trajectory of trajectories) {
    const own = turns.filter((t) => t.taskId === trajectory.taskId);
    const credits = roleCredits(own, lambda);
    for (const [agentId, c] of credits) {
      const mine = own.filter((t) => t.agentId === agentId);
      const mean = (xs: Array<number | undefined>) => {
        const v = xs.filter((x): x is number => x !== undefined);
        return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
      };
      const q = mean(mine.map((t) => t.q));
      const p = mean(mine.map((t) => t.p));
      signals.push({
        scope: 'agent',
        ref: agentId,
        taskId: trajectory.taskId,
        score: toSignedScore(c),
        text: mine.map((t) => (t.remark ? `Round ${t.round}: ${t.remark}` : '')).filter(Boolean).join(' ') || `Role credit ${c.toFixed(2)}.`,
        evidence: mine.flatMap((t) => t.utterance.stepIds),
        method: 'bcd',
        parts: { c, ...(q !== undefined ? { q } : {}), ...(p !== undefined ? { p } : {}) },
      });
    }
    // The step: the decisive error a peer view placed in its round, read by the same pick as
    // TRUCE's; without one, the weakest agent's worst-credited turn.
    const named = decisive[trajectory.taskId];
    const picked = named?.length ? pickBlame(trajectory, { decisive: named }) : undefined;
    const weakest = lowestCredit(credits, 1)[0];
    if (picked?.stepId !== undefined && picked.agent !== undefined) {
      blame[trajectory.taskId] = { agent: picked.agent, stepId: picked.stepId };
    } else if (weakest !== undefined) {
      const worstTurn = own
        .filter((t) => t.agentId === weakest)
        .map((t) => ({ t, c: fuseCredit(t.q, t.p, lambda) }))
        .filter((x): x is { t: ScoredTurn; c: number } => x.c !== undefined)
        .sort((a, b) => a.c - b.c || a.t.utterance.firstSeq - b.t.utterance.firstSeq)[0];
      if (worstTurn) blame[trajectory.taskId] = { agent: weakest, stepId: worstTurn.t.utterance.stepIds[0] };
    }
  }
  return blame;
}
