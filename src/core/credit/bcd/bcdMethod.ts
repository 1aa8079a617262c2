/**
 * Temporal + structural credit with verbalized block coordinate descent (the BCD paper, §4–5).
 *
 * credit(): per task and round, a critic scores every role utterance (q) and the aggregator's
 * state (q^agg); one peer-view judge per round rates all utterances together (p). Role credit is
 * the fused c = λq + (1−λ)p averaged over rounds; aggregator credit is an EMA over informative
 * failures, kept in a state object that the method carries from one optimization round to the
 * next and publishes in `details.state`. The phase (A: roles, B: aggregators) is decided from that
 * state; the targets of the phase get a textual gradient per failed task, whose implicated units
 * become unit-scope signals, whose diagnosis becomes an agent-scope signal (the verbal credit of
 * the agent on that task) and whose edits are what suggest() turns into RawSuggestions.
 *
 * Ablations (the TRUCE paper's, carried over so the methods can be compared the same way):
 *  - noCredit: outcome only. No critic, peer or aggregator-critic call, no EMA or phase; every
 *    editable role and aggregator gets a textual gradient per failed task it took part in, asked
 *    without any credit (the prompt says none is available). The temporal state is left as it is.
 *  - noUnits: credit() is unchanged; the loop then skips suggest() and rewrites each implicated
 *    agent's whole rule list from these signals (optimize/globalRewrite.ts). With both ablations
 *    the gradients would feed nothing (the global rewrite sees only outcomes), so none are asked.
 */
import { z } from 'zod';
import { createEvaluator } from '../../eval/createEvaluator';
import type { Evaluator } from '../../eval/types';
import type { CreditMethod, CreditReport, CreditSignal, MethodContext, RawSuggestion } from '../types';
import type { Trajectory } from '../../trajectory/schema';
import { isRight } from './correctness';
import { pickBlame, type DecisiveAnswer } from '../pickBlame';
import { criticScore, peerScores, textualGradient, type CallCounter, type PeerView } from './critics';
import { fuseCredit, lowestCredit, roleCredits, toSignedScore, type TurnScores } from './fusion';
import { resolveBcdOptions, type BcdOptions, type BcdOptionsInput } from './options';
import { decidePhase, recordPhase, type BcdPhase } from './phase';
import { roundViews, type Utterance } from './roundView';
import { aggregatorTargets, initialBcdState, updateTemporal, type BcdState, type RoundObservation } from './temporalState';
import { proposalsToSuggestions, unitsOf } from './unitProposals';

export interface BcdMethodSettings {
  options?: BcdOptionsInput;
  /** The state a previous optimization round published (details.state), to resume from. */
  state?: BcdState;
  /** The task evaluator; default: built from truce.yaml when it needs neither a process nor a model. */
  evaluator?: Evaluator;
}

export interface BcdMethod extends CreditMethod {
  /** The state after the last credit() call. */
  readonly state: BcdState;
}

/** A gradient kept in the report for suggest(); plain JSON so a stored report can be replayed. */
const StoredGradientSchema = z.object({
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
type StoredGradient = z.infer<typeof StoredGradientSchema>;

interface OwnTurn {
  round: number;
  text: string;
  stepIds: string[];
  remark?: string;
}

/** Whom a gradient is asked for: credit and rounds are absent when credit is ablated. */
interface GradientTarget {
  agentId: string;
  kind: 'role' | 'aggregator';
  credit?: number;
  rounds?: number[];
}

interface ScoredTurn extends TurnScores {
  taskId: string;
  utterance: Utterance;
  remark?: string;
}

/** Evaluators that need a process or a model are not built behind the user's back. */
const SELF_CONTAINED = new Set(['exact', 'choice', 'regex', 'numeric', 'contains-all']);

function defaultEvaluator(context: MethodContext): Evaluator | undefined {
  const config = context.config?.evaluator;
  if (!config || !SELF_CONTAINED.has(config.type)) return undefined;
  return createEvaluator(config);
}

/** The final answer and its verdict, for the peer view; undefined when the task was not evaluated. */
function outcomeFor(trajectory: Trajectory): { answer?: string; success: boolean } | undefined {
  const o = trajectory.outcome;
  if (!o) return undefined;
  const answer = o.details.answer ?? o.details.extracted;
  return { success: o.success, ...(typeof answer === 'string' ? { answer } : {}) };
}

export function createBcdMethod(settings: BcdMethodSettings = {}): BcdMethod {
  const options: BcdOptions = resolveBcdOptions(settings.options);
  let state: BcdState = settings.state ?? initialBcdState();

  async function credit(context: MethodContext, trajectories: Trajectory[]): Promise<CreditReport> {
    if (context.ablations.noCredit) return outcomeOnly(context, trajectories);
    const critic = context.judge ?? context.optimizer;
    const counter: CallCounter = { calls: 0, failed: 0 };
    const evaluator = settings.evaluator ?? defaultEvaluator(context);
    if (!evaluator) context.note('bcd: no self-contained task evaluator (exact, choice, regex, numeric, contains-all) was given; aggregator credit cannot tell informative failures and stays where it is.');
    const turns: ScoredTurn[] = [];
    const observations: RoundObservation[] = [];
    const signals: CreditSignal[] = [];
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

    // Structural credit, per task (for the signals) and over the batch (for the phase A targets).
    const blame: Record<string, { agent: string; stepId: string }> = {};
    for (const trajectory of trajectories) {
      const own = turns.filter((t) => t.taskId === trajectory.taskId);
      const credits = roleCredits(own, options.lambda);
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
          .map((t) => ({ t, c: fuseCredit(t.q, t.p, options.lambda) }))
          .filter((x): x is { t: ScoredTurn; c: number } => x.c !== undefined)
          .sort((a, b) => a.c - b.c || a.t.utterance.firstSeq - b.t.utterance.firstSeq)[0];
        if (worstTurn) blame[trajectory.taskId] = { agent: weakest, stepId: worstTurn.t.utterance.stepIds[0] };
      }
    }
    const batchCredits = roleCredits(turns, options.lambda);

    const updated = updateTemporal(state, observations, options);
    const decision = decidePhase(updated, options);
    const targets = selectTargets(context, decision.phase, batchCredits, updated, options);
    state = recordPhase(updated, decision.phase);

    const failed = trajectories.filter((t) => t.outcome?.success === false);
    const gradients = options.gradients ? await askGradients(context, targets.flatMap((target) => failed.map((t) => [target, t] as const)), turns, counter, signals) : [];

    return {
      method: 'bcd',
      signals,
      details: {
        state,
        phase: decision.phase,
        phaseReason: decision.reason,
        targets: targets.map((t) => ({ agentId: t.agentId, kind: t.kind, credit: t.credit, ...(t.rounds ? { rounds: t.rounds } : {}) })),
        roleCredits: Object.fromEntries(batchCredits),
        roundCredits: state.rounds,
        blame,
        decisive,
        gradients,
        queries: { calls: counter.calls, failed: counter.failed },
        options,
      },
    };
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

  /**
   * One textual gradient for an agent on a failed task. `target.credit` (in [0, 1]) is what made it
   * a target; without it (credit ablated) the outcome stands in for the signed credit of the
   * proposals and no agent-level credit signal is written.
   */
  /** Asks for a gradient per (target, failed task) pair, in the given order; their signals go to `signals`. */
  async function askGradients(
    context: MethodContext,
    pairs: ReadonlyArray<readonly [GradientTarget, Trajectory]>,
    turns: readonly ScoredTurn[],
    counter: CallCounter,
    signals: CreditSignal[],
  ): Promise<StoredGradient[]> {
    const gradients: StoredGradient[] = [];
    for (const [target, trajectory] of pairs) {
      const gradient = await gradientFor(context, target, trajectory, turns, counter);
      if (!gradient) continue;
      gradients.push(gradient.stored);
      signals.push(...gradient.signals);
    }
    return gradients;
  }

  async function gradientFor(
    context: MethodContext,
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

  /**
   * The no-credit ablation: every editable role and aggregator that took part in a failed task
   * gets a gradient asked without credit. Nothing is scored and the temporal state does not move.
   */
  async function outcomeOnly(context: MethodContext, trajectories: Trajectory[]): Promise<CreditReport> {
    const counter: CallCounter = { calls: 0, failed: 0 };
    const signals: CreditSignal[] = [];
    const editable = context.agents.filter((a): a is typeof a & { kind: 'role' | 'aggregator' } => a.kind === 'role' || a.kind === 'aggregator');
    const failed = trajectories.filter((t) => t.outcome?.success === false);
    const pairs = failed.flatMap((t) => editable.map((agent) => [{ agentId: agent.agentId, kind: agent.kind }, t] as const));
    const gradients = options.gradients && !context.ablations.noUnits ? await askGradients(context, pairs, [], counter, signals) : [];
    return {
      method: 'bcd',
      signals,
      details: { state, noCredit: true, gradients, queries: { calls: counter.calls, failed: counter.failed }, options },
    };
  }

  async function suggest(context: MethodContext, report: CreditReport): Promise<RawSuggestion[]> {
    const parsed = z.array(StoredGradientSchema).safeParse(report.details?.gradients ?? []);
    if (!parsed.success) {
      context.note('bcd: the credit report carries no readable gradients; no suggestions.');
      return [];
    }
    return parsed.data.flatMap((g) =>
      proposalsToSuggestions(context, { method: 'bcd', taskId: g.taskId, agentId: g.agentId, stepIds: g.stepIds, credit: g.credit }, g.edits.map((e) => ({ ...e, rationale: e.rationale || g.diagnosis }))),
    );
  }

  return {
    name: 'bcd',
    get state() {
      return state;
    },
    credit,
    suggest,
  };
}

interface Target {
  agentId: string;
  kind: 'role' | 'aggregator';
  /** In [0, 1]. */
  credit: number;
  rounds?: number[];
}

/**
 * Phase A: the K lowest-credit roles that may be edited. Phase B: the aggregators of the rounds
 * that crossed τ, one target per agent (an aggregator shared by several rounds is one prompt),
 * with the lowest EMA among its rounds.
 */
function selectTargets(context: MethodContext, phase: BcdPhase, roleCredit: Map<string, number>, state: BcdState, options: BcdOptions): Target[] {
  const editable = (id: string, kind: 'role' | 'aggregator') => context.agents.some((a) => a.agentId === id && a.kind === kind);
  if (phase === 'A') {
    const candidates = new Map([...roleCredit].filter(([id]) => editable(id, 'role')));
    return lowestCredit(candidates, options.bottomK).map((id) => ({ agentId: id, kind: 'role', credit: candidates.get(id) as number }));
  }
  const byAgent = new Map<string, Target>();
  for (const r of aggregatorTargets(state, options)) {
    if (!editable(r.aggregator, 'aggregator')) continue;
    const t = byAgent.get(r.aggregator);
    if (t) t.rounds?.push(r.round);
    else byAgent.set(r.aggregator, { agentId: r.aggregator, kind: 'aggregator', credit: r.ema as number, rounds: [r.round] });
  }
  return [...byAgent.values()];
}

