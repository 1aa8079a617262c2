/**
 * The attribution self-test: run a credit method on failure logs whose culprit is labelled
 * (Who&When: `mistakeAgent`, `mistakeStepId`) and measure how often its top-blamed agent and step
 * match the label. It answers "does this method point where a human annotator points?" before its
 * credit is trusted to drive prompt edits.
 *
 * A method states its pick in `details.blame[taskId] = {agent, stepId}` (TRUCE, BCD and GBC do;
 * TRUCE and the all-at-once baseline through pickBlame.ts). A stated entry without agent or step
 * is a deliberate "no pick" and stays one. Only for a method that states nothing is the pick read
 * off its signals: the most negative agent-scope signal names the agent, and the earliest of that
 * agent's steps in the evidence is the step; without agent signals, the earliest prompt-holding
 * step in the evidence of the most negative signal. Step distance is measured in `seq`, the
 * position in the log (Who&When's step index).
 */
import type { CreditMethod, CreditReport, MethodContext } from './types';
import type { Trajectory } from '../trajectory/schema';

export interface BlamePick {
  agent?: string;
  stepId?: string;
}

export interface AttributionCase {
  taskId: string;
  file?: string;
  labelAgent: string;
  labelStepId?: string;
  predictedAgent?: string;
  predictedStepId?: string;
  agentCorrect: boolean;
  /** Undefined when the log has no usable step label. */
  stepExact?: boolean;
  stepWithin?: boolean;
  stepDistance?: number;
}

export interface AttributionSummary {
  method: string;
  cases: number;
  within: number;
  agentAccuracy: number;
  /** Over the cases with a step label. */
  stepCases: number;
  stepAccuracy: number;
  stepWithinAccuracy: number;
}

export interface AttributionResult {
  summary: AttributionSummary;
  cases: AttributionCase[];
  /** Logs that were not scored (no label), with the reason. */
  skipped: Array<{ taskId: string; reason: string }>;
}

const NO_PROMPT = new Set(['tool', 'human']);

export function blameOfReport(report: CreditReport, trajectory: Trajectory): BlamePick {
  const stated = (report.details?.blame as Record<string, BlamePick> | undefined)?.[trajectory.taskId];
  if (stated) return { ...(stated.agent !== undefined ? { agent: stated.agent } : {}), ...(stated.stepId !== undefined ? { stepId: stated.stepId } : {}) };
  const steps = new Map(trajectory.steps.map((s) => [s.id, s]));
  const earliest = (ids: readonly string[], agent?: string) =>
    ids
      .map((id) => steps.get(id))
      .filter((s) => s !== undefined && (agent === undefined || s.agentId === agent))
      .sort((a, b) => (a?.seq ?? 0) - (b?.seq ?? 0))[0];
  const own = report.signals.filter((s) => s.taskId === trajectory.taskId && s.score < 0).sort((a, b) => a.score - b.score);
  const agentSignal = own.find((s) => s.scope === 'agent');
  if (agentSignal) {
    const holder = own.find((s) => s.evidence.some((id) => steps.get(id)?.agentId === agentSignal.ref));
    const step = holder ? earliest(holder.evidence, agentSignal.ref) : undefined;
    return { agent: agentSignal.ref, ...(step ? { stepId: step.id } : {}) };
  }
  const kinds = new Map(trajectory.agents.map((a) => [a.id, a.kind]));
  for (const signal of own) {
    const step = earliest(signal.evidence.filter((id) => !NO_PROMPT.has(kinds.get(steps.get(id)?.agentId ?? '') ?? 'role')));
    if (step) return { agent: step.agentId, stepId: step.id };
  }
  return {};
}

/** One labelled log against one pick; pure. */
export function scoreCase(trajectory: Trajectory, pick: BlamePick, within: number): AttributionCase {
  const labels = trajectory.labels ?? {};
  const labelAgent = labels.mistakeAgent ?? '';
  const file = typeof trajectory.attrs?.file === 'string' ? trajectory.attrs.file : undefined;
  const out: AttributionCase = {
    taskId: trajectory.taskId,
    ...(file !== undefined ? { file } : {}),
    labelAgent,
    ...(pick.agent !== undefined ? { predictedAgent: pick.agent } : {}),
    ...(pick.stepId !== undefined ? { predictedStepId: pick.stepId } : {}),
    agentCorrect: pick.agent !== undefined && pick.agent.toLowerCase() === labelAgent.toLowerCase(),
  };
  const labelStep = labels.mistakeStepId !== undefined ? trajectory.steps.find((s) => s.id === labels.mistakeStepId) : undefined;
  if (labelStep) {
    out.labelStepId = labelStep.id;
    const predicted = pick.stepId !== undefined ? trajectory.steps.find((s) => s.id === pick.stepId) : undefined;
    if (predicted) {
      out.stepDistance = Math.abs(predicted.seq - labelStep.seq);
      out.stepExact = out.stepDistance === 0;
      out.stepWithin = out.stepDistance <= within;
    } else {
      out.stepExact = false;
      out.stepWithin = false;
    }
  }
  return out;
}

export function summarize(method: string, cases: readonly AttributionCase[], within: number): AttributionSummary {
  const stepCases = cases.filter((c) => c.stepExact !== undefined);
  const share = (n: number, d: number) => (d === 0 ? 0 : n / d);
  return {
    method,
    cases: cases.length,
    within,
    agentAccuracy: share(cases.filter((c) => c.agentCorrect).length, cases.length),
    stepCases: stepCases.length,
    stepAccuracy: share(stepCases.filter((c) => c.stepExact).length, stepCases.length),
    stepWithinAccuracy: share(stepCases.filter((c) => c.stepWithin).length, stepCases.length),
  };
}

/** Credit runs per log, so one log's blame never depends on the others in the batch. */
export async function evaluateAttribution(method: CreditMethod, context: MethodContext, trajectories: readonly Trajectory[], within: number): Promise<AttributionResult> {
  const cases: AttributionCase[] = [];
  const skipped: AttributionResult['skipped'] = [];
  for (const trajectory of trajectories) {
    if (!trajectory.labels?.mistakeAgent) {
      skipped.push({ taskId: trajectory.taskId, reason: 'no mistakeAgent label' });
      continue;
    }
    if (context.signal?.aborted) throw context.signal.reason;
    const report = await method.credit(context, [trajectory]);
    cases.push(scoreCase(trajectory, blameOfReport(report, trajectory), within));
  }
  return { summary: summarize(method.name, cases, within), cases, skipped };
}

export function renderAttributionTable(result: AttributionResult): string {
  const { summary } = result;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows = result.cases.map((c) => [
    c.file ?? c.taskId,
    c.labelAgent,
    c.predictedAgent ?? '-',
    c.agentCorrect ? 'yes' : 'no',
    c.labelStepId ?? '-',
    c.predictedStepId ?? '-',
    c.stepDistance === undefined ? '-' : String(c.stepDistance),
  ]);
  const header = ['case', 'label agent', 'blamed agent', 'agent ok', 'label step', 'blamed step', 'distance'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `method ${summary.method}: ${summary.cases} case(s)`,
    `agent-level accuracy: ${pct(summary.agentAccuracy)}`,
    `step-level accuracy: ${pct(summary.stepAccuracy)} exact, ${pct(summary.stepWithinAccuracy)} within ±${summary.within} (over ${summary.stepCases} case(s) with a step label)`,
    ...(result.skipped.length ? [`skipped: ${result.skipped.length} log(s) without a label`] : []),
    '',
  ].join('\n');
}
