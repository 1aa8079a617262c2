/**
 * BCD credit, last phase: a textual gradient per (target, failed task). Its implicated units become
 * unit-scope signals, its diagnosis an agent-scope signal (the verbal credit of the agent on that
 * task), and its edits are kept in the report for suggest() (plain JSON, so a stored report can be
 * replayed).
 */
import { z } from 'zod';
import type { CreditSignal, MethodContext } from '../types';
import type { Trajectory } from '../../trajectory/schema';
import { textualGradient, type CallCounter } from './critics';
import { toSignedScore } from './fusion';
import type { BcdOptions } from './options';
import { roundViews } from './roundView';
import type { GradientTarget } from './targets';
import type { ScoredTurn } from './turnScores';
import { unitsOf } from './unitProposals';

/** A gradient kept in the report for suggest(); plain JSON so a stored report can be replayed. */
export const StoredGradientSchema = z.object({
  taskId: z.string(),
  agentId: z.string(),
  stepIds: z.array(z.string()),
  credit: z.number(),
  diagnosis: z.string(),
  edits: z.array(
    z.object({
      op: z.enum(['ADD', 'MODIFY', 'DELETE']),
      targetUnitId: z.string().optional(),
      anchorUnitId: z.string().optional(),
      newText: z.string().optional(),
      rationale: z.string(),
    }),
  ),
});
export type StoredGradient = z.infer<typeof StoredGradientSchema>;

interface OwnTurn {
  round: number;
  text: string;
  stepIds: string[];
  remark?: string;
}

/** The agent's own texts in a task: a role's utterances (with the critic's remarks when scored), an aggregator's states. */
function ownTurns(trajectory: Trajectory, agentId: string, kind: 'role' | 'aggregator', rounds: readonly number[] | undefined, turns: readonly ScoredTurn[]): OwnTurn[] {
  if (kind === 'role') {
    const scored = turns.filter((t) => t.taskId === trajectory.taskId && t.agentId === agentId);
    if (scored.length) return scored.map((t) => ({ round: t.round, text: t.utterance.text, stepIds: t.utterance.stepIds, ...(t.remark ? { remark: t.remark } : {}) }));
    return roundViews(trajectory).flatMap((v) => v.roles.filter((u) => u.agentId === agentId).map((u) => ({ round: u.round, text: u.text, stepIds: u.stepIds })));
  }
  return roundViews(trajectory)
    .filter((v) => v.aggregator?.agentId === agentId && (rounds === undefined || rounds.includes(v.round)))
    .map((v) => ({ round: v.round, text: v.aggregator?.text ?? '', stepIds: [v.aggregator?.stepId ?? ''] }));
}

/** Asks for a gradient per (target, failed task) pair, in the given order; their signals go to `signals`. */
export async function askGradients(
  context: MethodContext,
  options: BcdOptions,
  pairs: ReadonlyArray<readonly [GradientTarget, Trajectory]>,
  turns: readonly ScoredTurn[],
  counter: CallCounter,
  signals: CreditSignal[],
): Promise<StoredGradient[]> {
  const gradients: StoredGradient[] = [];
  for (const [target, trajectory] of pairs) {
    const gradient = await gradientFor(context, options, target, trajectory, turns, counter);
    if (!gradient) continue;
    gradients.push(gradient.stored);
    signals.push(...gradient.signals);
  }
  return gradients;
}

/**
 * One textual gradient for an agent on a failed task. `target.credit` (in [0, 1]) is what made it
 * a target; without it (credit ablated) the outcome stands in for the signed credit of the
 * proposals and no agent-level credit signal is written.
 */
async function gradientFor(
  context: MethodContext,
  options: BcdOptions,
  target: GradientTarget,
  trajectory: Trajectory,
  turns: readonly ScoredTurn[],
  counter: CallCounter,
): Promise<{ stored: StoredGradient; signals: CreditSignal[] } | undefined> {
  const agent = context.agents.find((a) => a.agentId === target.agentId);
  if (!agent) return undefined;
  const own = ownTurns(trajectory, target.agentId, target.kind, target.rounds, turns);
  if (own.length === 0) return undefined;
  const units = unitsOf(context, target.agentId);
  const label = target.kind === 'role' ? 'Role credit over the rounds' : 'Moving-average credit of its rounds on informative failures';
  const reply = await textualGradient(
    context.optimizer,
    context,
    {
      task: trajectory.task?.input ?? '',
      ...(trajectory.task?.reference !== undefined ? { reference: trajectory.task.reference } : {}),
      outcomeScore: trajectory.outcome?.score ?? 0,
      agentId: target.agentId,
      kind: target.kind,
      ...(target.credit !== undefined ? { credit: { value: target.credit, label } } : {}),
      turns: own.map(({ round, text, remark }) => ({ round, text, ...(remark ? { remark } : {}) })),
      units: units.map((u) => ({ id: u.id, text: u.text, locked: u.locked })),
      maxEdits: options.maxEditsPerCall,
    },
    counter,
  );
  if (!reply) return undefined;
  if (reply.edits.length > options.maxEditsPerCall) {
    context.note(`bcd task ${trajectory.taskId}, agent ${target.agentId}: ${reply.edits.length} edits proposed, only the first ${options.maxEditsPerCall} kept.`);
  }
  const stepIds = own.flatMap((t) => t.stepIds);
  const signed = target.credit !== undefined ? toSignedScore(target.credit) : (trajectory.outcome?.score ?? 0) * 2 - 1;
  const known = new Set(units.map((u) => u.id));
  const signals: CreditSignal[] = [];
  for (const u of reply.implicatedUnits) {
    if (!known.has(u.unitId)) {
      context.note(`bcd task ${trajectory.taskId}, agent ${target.agentId}: implicated unit ${u.unitId} is not a unit of the agent; ignored.`);
      continue;
    }
    signals.push({ scope: 'unit', ref: u.unitId, taskId: trajectory.taskId, score: Math.min(signed, 0), text: u.why, evidence: stepIds, method: 'bcd', parts: { agentCredit: target.credit ?? signed } });
  }
  if (target.credit !== undefined) {
    // The gradient's diagnosis is the verbal credit of the agent on this failed task; its blame
    // is how far the credit that singled the agent out falls short of full credit.
    signals.push({ scope: 'agent', ref: target.agentId, taskId: trajectory.taskId, score: -(1 - target.credit), text: `Textual gradient: ${reply.diagnosis}`, evidence: stepIds, method: 'bcd', parts: { agentCredit: target.credit, gradient: 1 } });
  }
  return { stored: { taskId: trajectory.taskId, agentId: target.agentId, stepIds, credit: signed, diagnosis: reply.diagnosis, edits: reply.edits.slice(0, options.maxEditsPerCall) }, signals };
}
