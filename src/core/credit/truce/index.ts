/**
 * TRUCE as a CreditMethod (trajectory-based rule credit estimation, Algorithm 1):
 *
 *  credit  — Φ over the sub-trajectories of every task that carries a signal (skip.ts): one call
 *            per task when the parts fit `contextTokens`, batches otherwise. Signals: one
 *            'subtrajectory' signal per credited part. With credit ablated (noCredit) no Φ call is
 *            made and the report holds no signals.
 *  suggest — Ψ per task and implicated agent (psiSuggest.ts), proposals checked against ids, locks
 *            and structure. It then adds the 'unit' signals (unitCredit.ts) to the report it was
 *            given, so every TRUCE run ends with credit per rule for the editor.
 *
 * `details` (plain JSON, stored in credit.json) keeps what Ψ and the panel need beyond signals:
 * Φ's parts with highlights and issues, skipped tasks, rejected proposals and call counts.
 */
import type { CreditMethod, CreditReport, MethodContext, RawSuggestion } from '../types';
import { unitsOf } from '../agentUnits';
import type { Trajectory } from '../../trajectory/schema';
import { creditTask, DEFAULT_CONTEXT_TOKENS, partSignals, type PhiPart } from './phiCredit';
import type { BlameSource, DecisiveAnswer } from '../pickBlame';
import { suggestForTasks, type RejectedProposal } from './psiSuggest';
import { tasksWithSignal, type SkippedTask } from './skip';
import { deriveUnitCredit, type CreditedAgent } from './unitCredit';

export interface TruceOptions {
  /**
   * Prompt tokens a Φ call may use before the parts of a task are split over several calls
   * (default: `optimizer.contextTokens` of truce.yaml, else DEFAULT_CONTEXT_TOKENS).
   */
  contextTokens?: number;
  /**
   * Self-consistency: ask each Φ call this many times (default 1), at a sampling temperature,
   * each a call of its own (never one cached answer reused), and let the decisive answers vote by
   * confidence. The part scores and verdicts come from the first sample.
   */
  samples?: number;
}

export interface TruceDetails {
  phi: Record<string, PhiPart[]>;
  /** Per failed task: the blamed agent and step (read by eval-attribution and the panel). */
  blame: Record<string, { agent?: string; stepId?: string; source: BlameSource; why: string; confidence?: number }>;
  /** Per task: the decisive errors Φ named, as answered. */
  decisive: Record<string, DecisiveAnswer[]>;
  skipped: SkippedTask[];
  rejected: RejectedProposal[];
  calls: { phi: number; psi: number };
  skippedAgents: number;
  noCredit: boolean;
}

export function truceDetails(report: CreditReport): TruceDetails {
  const d = (report.details ?? {}) as Partial<TruceDetails>;
  return {
    phi: d.phi ?? {},
    blame: d.blame ?? {},
    decisive: d.decisive ?? {},
    skipped: d.skipped ?? [],
    rejected: d.rejected ?? [],
    calls: d.calls ?? { phi: 0, psi: 0 },
    skippedAgents: d.skippedAgents ?? 0,
    noCredit: d.noCredit ?? false,
  };
}

export function createTruceMethod(options: TruceOptions = {}): CreditMethod {
  return {
    name: 'truce',

    async credit(context: MethodContext, trajectories: Trajectory[]): Promise<CreditReport> {
      const { kept, skipped } = tasksWithSignal(trajectories);
      for (const s of skipped) context.note(`Φ: task ${s.taskId} skipped: ${s.reason}.`);
      const details: TruceDetails = { phi: {}, blame: {}, decisive: {}, skipped, rejected: [], calls: { phi: 0, psi: 0 }, skippedAgents: 0, noCredit: context.ablations.noCredit };
      if (context.ablations.noCredit) return { method: 'truce', signals: [], details: details as unknown as Record<string, unknown> };
      const contextTokens = options.contextTokens ?? context.config.optimizer.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
      const tasks = await Promise.all(kept.map((t) => creditTask(context, t, contextTokens, options.samples ?? 1)));
      for (const task of tasks) {
        details.phi[task.taskId] = task.parts;
        details.calls.phi += task.calls;
        if (task.decisive.length) details.decisive[task.taskId] = task.decisive;
        if (task.blame) details.blame[task.taskId] = task.blame;
      }
      return { method: 'truce', signals: tasks.flatMap(partSignals), details: details as unknown as Record<string, unknown> };
    },

    async suggest(context: MethodContext, report: CreditReport, trajectories: Trajectory[]): Promise<RawSuggestion[]> {
      const details = truceDetails(report);
      const skippedIds = new Set(details.skipped.map((s) => s.taskId));
      const { kept } = tasksWithSignal(trajectories);
      const tasks = kept.filter((t) => !skippedIds.has(t.taskId));
      const phi = details.noCredit || context.ablations.noCredit ? undefined : new Map(Object.entries(details.phi));
      const outcome = await suggestForTasks(context, tasks, phi);
      details.rejected.push(...outcome.rejected);
      details.calls.psi += outcome.calls;
      details.skippedAgents += outcome.skippedAgents;

      const credited: CreditedAgent[] = [];
      for (const au of context.agents) {
        const found = unitsOf(context.agents, context.config, au.agentId);
        if (found) credited.push({ agentId: au.agentId, prompt: found.prompt });
      }
      const stepAgent = new Map(tasks.map((t) => [t.taskId, new Map(t.steps.map((s) => [s.id, s.agentId]))]));
      const unitSignals = deriveUnitCredit(tasks.map((t) => t.taskId), phi ?? new Map(), outcome.suggestions, credited, stepAgent);
      // Unit signals replace any from an earlier suggest on the same report, so repeating is harmless.
      report.signals = [...report.signals.filter((s) => s.scope !== 'unit'), ...unitSignals];
      report.details = details as unknown as Record<string, unknown>;
      return outcome.suggestions;
    },
  };
}
