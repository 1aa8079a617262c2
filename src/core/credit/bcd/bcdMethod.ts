/**
 * Temporal + structural credit with verbalized block coordinate descent (the BCD paper, §4–5).
 *
 * credit() runs five named phases:
 *  1. observeRounds (roundObservations.ts): per task and round, the task's evaluator tells whether
 *     the aggregator's state and each role were right; a critic scores the state (q^agg) only on
 *     an informative failure (state wrong, some role right), the one case the EMA reads.
 *  2. temporal credit and phase: aggregator credit is an EMA over informative failures, kept in
 *     a state object that the method carries from one optimization round to the next and
 *     publishes in `details.state` (temporalState.ts); the phase (A: roles, B: aggregators) is
 *     decided from that state, this batch included (phase.ts).
 *  3. scoreTurns (turnScores.ts, phase A only): per failed task and round, a critic scores every
 *     role utterance (q); one peer-view judge per round rates all utterances (p).
 *  4. structuralCredit (structuralCredit.ts): role credit c = λq + (1−λ)p averaged over rounds,
 *     per task, and the blamed step; selectTargets (targets.ts) names the phase's targets.
 *  5. askGradients (gradients.ts): each target gets a textual gradient per failed task, whose
 *     implicated units become unit-scope signals, whose diagnosis becomes an agent-scope signal
 *     (the verbal credit of the agent on that task) and whose edits are what suggest() turns into
 *     RawSuggestions.
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
import type { CallCounter } from './critics';
import { roleCredits } from './fusion';
import { askGradients, StoredGradientSchema } from './gradients';
import { resolveBcdOptions, type BcdOptions, type BcdOptionsInput } from './options';
import { decidePhase, recordPhase } from './phase';
import { structuralCredit } from './structuralCredit';
import { selectTargets } from './targets';
import { initialBcdState, updateTemporal, type BcdState } from './temporalState';
import { observeRounds } from './roundObservations';
import { scoreTurns } from './turnScores';
import { proposalsToSuggestions } from './unitProposals';

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

/** Evaluators that need a process or a model are not built behind the user's back. */
const SELF_CONTAINED = new Set(['exact', 'choice', 'regex', 'numeric', 'contains-all']);

function defaultEvaluator(context: MethodContext): Evaluator | undefined {
  const config = context.config?.evaluator;
  if (!config || !SELF_CONTAINED.has(config.type)) return undefined;
  return createEvaluator(config);
}

export function createBcdMethod(settings: BcdMethodSettings = {}): BcdMethod {
  const options: BcdOptions = resolveBcdOptions(settings.options);
  let state: BcdState = settings.state ?? initialBcdState();

  async function credit(context: MethodContext, trajectories: Trajectory[]): Promise<CreditReport> {
    if (context.ablations.noCredit) return outcomeOnly(context, trajectories, options, state);
    const critic = context.judge ?? context.optimizer;
    const counter: CallCounter = { calls: 0, failed: 0 };
    const evaluator = settings.evaluator ?? defaultEvaluator(context);
    if (!evaluator) context.note('bcd: no self-contained task evaluator (exact, choice, regex, numeric, contains-all) was given; aggregator credit cannot tell informative failures and stays where it is.');
    const signals: CreditSignal[] = [];

    // The aggregators first: their informative failures move the EMA, and the EMA decides the phase.
    const observations = await observeRounds(context, critic, trajectories, evaluator, counter, signals);
    const updated = updateTemporal(state, observations, options);
    const decision = decidePhase(updated, options);
    // Role scores feed phase A's targets and the blamed step; a phase B round edits aggregators
    // only, so it scores no role unless credit is asked for attribution alone (no gradients).
    const scoreRoles = decision.phase === 'A' || !options.gradients;
    const scoring = scoreRoles ? await scoreTurns(context, critic, trajectories, counter) : { turns: [], decisive: {} };
    // Structural credit, per task (for the signals) and over the batch (for the phase A targets).
    const blame = structuralCredit(trajectories, scoring, options.lambda, signals);
    const batchCredits = roleCredits(scoring.turns, options.lambda);
    const targets = selectTargets(context, decision.phase, batchCredits, updated, options);
    state = recordPhase(updated, decision.phase);

    const failed = trajectories.filter((t) => t.outcome?.success === false);
    const gradients = options.gradients ? await askGradients(context, options, targets.flatMap((target) => failed.map((t) => [target, t] as const)), scoring.turns, counter, signals) : [];

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
        decisive: scoring.decisive,
        gradients,
        queries: { calls: counter.calls, failed: counter.failed },
        options,
      },
    };
  }

  return {
    name: 'bcd',
    get state() {
      return state;
    },
    credit,
    suggest: suggestFromGradients,
  };
}

/**
 * The no-credit ablation: every editable role and aggregator that took part in a failed task
 * gets a gradient asked without credit. Nothing is scored and the temporal state does not move.
 */
async function outcomeOnly(context: MethodContext, trajectories: Trajectory[], options: BcdOptions, state: BcdState): Promise<CreditReport> {
  const counter: CallCounter = { calls: 0, failed: 0 };
  const signals: CreditSignal[] = [];
  const editable = context.agents.filter((a): a is typeof a & { kind: 'role' | 'aggregator' } => a.kind === 'role' || a.kind === 'aggregator');
  const failed = trajectories.filter((t) => t.outcome?.success === false);
  const pairs = failed.flatMap((t) => editable.map((agent) => [{ agentId: agent.agentId, kind: agent.kind }, t] as const));
  const gradients = options.gradients && !context.ablations.noUnits ? await askGradients(context, options, pairs, [], counter, signals) : [];
  return {
    method: 'bcd',
    signals,
    details: { state, noCredit: true, gradients, queries: { calls: counter.calls, failed: counter.failed }, options },
  };
}

/** suggest(): the edits of the gradients the credit report carries, as raw suggestions. */
async function suggestFromGradients(context: MethodContext, report: CreditReport): Promise<RawSuggestion[]> {
  const parsed = z.array(StoredGradientSchema).safeParse(report.details?.gradients ?? []);
  if (!parsed.success) {
    context.note('bcd: the credit report carries no readable gradients; no suggestions.');
    return [];
  }
  return parsed.data.flatMap((g) =>
    proposalsToSuggestions(context, { method: 'bcd', taskId: g.taskId, agentId: g.agentId, stepIds: g.stepIds, credit: g.credit }, g.edits.map((e) => ({ ...e, rationale: e.rationale || g.diagnosis }))),
  );
}
