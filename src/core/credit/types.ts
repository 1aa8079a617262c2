/**
 * The method interface: the contract between the optimizer loop and the credit methods (TRUCE, temporal+structural BCD,
 * GBC). A method turns scored trajectories into credit signals and unit-level suggestions; the
 * loop (rollouts, aggregation across tasks, validation-gated acceptance, the ledger) is shared.
 * Shapes follow DESIGN.md §3.
 */
import type { TruceConfig } from '../config';
import type { LlmClient } from '../llm';
import type { PromptSet } from '../mas';
import type { Trajectory } from '../trajectory/schema';
import type { PromptDocument, UnitEdit } from '../units';

export type MethodName = 'truce' | 'bcd' | 'gbc';

/**
 * Before credit, the loop marks each trajectory of a task seen in an earlier round with that
 * round's score under this attribute, so a method can tell a task that got worse from one that
 * was always failing.
 */
export const PREVIOUS_SCORE_ATTR = 'truce.previousScore';

export type CreditScope = 'subtrajectory' | 'round' | 'agent' | 'unit' | 'edge';

/** Verbal and numeric credit together, always with evidence. Scores are in [-1, 1]: negative blames. */
export interface CreditSignal {
  scope: CreditScope;
  /** What the signal is about: a sub-trajectory index, a round number, an agent id, a unit id, "from->to". */
  ref: string;
  taskId: string;
  score: number;
  text: string;
  /** Step ids of the trajectory that support the signal. */
  evidence: string[];
  method: MethodName;
  /** Named sub-scores where the method has them (progress, coordination, stage, overall; q, p, …). */
  parts?: Record<string, number>;
}

export interface SuggestionEvidence {
  taskId: string;
  stepIds: string[];
}

export type SuggestionStatus = 'proposed' | 'accepted' | 'rejected' | 'applied' | 'stale';

export interface Suggestion {
  id: string;
  edit: UnitEdit;
  /** The prompt file (workspace-relative) whose unit the edit targets. */
  file: string;
  rationale: string;
  evidence: SuggestionEvidence[];
  /** Share of the sampled tasks that proposed this (or a merged near-duplicate) edit, in [0, 1]. */
  support: number;
  tasks: string[];
  /** The credit of the target unit (or agent, for ADD) that motivated it, in [-1, 1]. */
  credit: number;
  method: MethodName;
  status: SuggestionStatus;
  /** Why a suggestion was rejected or is stale. */
  reason?: string;
  /**
   * Set on the edits of one agent's global rewrite (the no-units ablation, globalRewrite.ts): the
   * edits of a group are one indivisible candidate item — applied, accepted, pruned together.
   */
  group?: string;
}

/** A proposal before aggregation: one agent, one task. */
export type RawSuggestion = Omit<Suggestion, 'id' | 'support' | 'tasks' | 'status'> & { taskId: string };

/** The agents whose prompts may change, with their current units (ids included). */
export interface AgentUnits {
  agentId: string;
  kind: 'role' | 'aggregator' | 'judge';
  file: string;
  document: PromptDocument;
}

export interface MethodContext {
  config: TruceConfig;
  prompts: PromptSet;
  agents: AgentUnits[];
  optimizer: LlmClient;
  /** The agents' endpoint, for methods that re-run agent calls (GBC ablation). */
  executor?: LlmClient;
  judge?: LlmClient;
  /** Seeded randomness of the optimization run (tie-breaks, sampling). */
  random: () => number;
  signal?: AbortSignal;
  /**
   * Ablations of the TRUCE paper: no credit signals (suggestions from outcomes only), no unit
   * structure (the loop replaces suggest() and pooling by one global rewrite per implicated agent,
   * optimize/globalRewrite.ts, so a method never sees noUnits in suggest()).
   */
  ablations: { noCredit: boolean; noUnits: boolean };
  /** Recorded, never thrown: malformed optimizer output, rejected ids. */
  note: (message: string) => void;
  /**
   * The edits of earlier rounds of this run and what became of them (accepted, rejected by
   * validation, pruned), so a method can show an agent's history to its suggestion prompt and not
   * propose a rejected edit again. Empty in the first round and outside an optimization.
   */
  history?: EditHistoryEntry[];
}

export interface EditHistoryEntry {
  round: number;
  agentId: string;
  op: UnitEdit['op'];
  oldText?: string;
  newText?: string;
  status: SuggestionStatus;
  /** Why it was rejected, pruned or stale; for an accepted edit, the validation's verdict. */
  reason?: string;
}

export interface CreditReport {
  method: MethodName;
  signals: CreditSignal[];
  /** Method-specific data for the panel and the report (e.g. the GBC graph, BCD EMA state). */
  details?: Record<string, unknown>;
}

export interface CreditMethod {
  name: MethodName;
  /** Credit for a batch of scored trajectories (each has an outcome). */
  credit(context: MethodContext, trajectories: Trajectory[]): Promise<CreditReport>;
  /** Per-task, per-agent unit-edit proposals from the credit. Invalid proposals are dropped with a note. */
  suggest(context: MethodContext, report: CreditReport, trajectories: Trajectory[]): Promise<RawSuggestion[]>;
  /** Ablations that mean nothing for this method, with the reason; the loop refuses to run them. */
  refusedAblations?: Partial<Record<'noCredit' | 'noUnits', string>>;
}
