/**
 * What an intervention acts on: a failed task of a stored run, the step to correct (credit's pick,
 * or the one the user names), and the gateway call that produced that step (attrs.callId) with the
 * calls of the same execution before it. Everything that makes an intervention impossible is
 * refused here, before anything is spent, with what to do instead.
 */
import { join } from 'node:path';
import { resolveStepRef } from '../credit/resolveStep';
import { truceDetails } from '../credit/truce';
import type { PhiPart } from '../credit/truce/phiCredit';
import type { CreditReport } from '../credit/types';
import type { StoredGatewayCall } from '../run/runGateway';
import { readJsonlFile, RUN_FILES, type StoredRun } from '../store';
import type { Step, Trajectory } from '../trajectory/schema';

export class InterventionError extends Error {
  override readonly name = 'InterventionError';
}

/** The projected spend does not fit the budget; nothing was spent. */
export class InterventionOverBudgetError extends InterventionError {
  constructor(
    message: string,
    readonly projectedCalls: number,
  ) {
    super(message);
  }
}

/** The failed task's step to correct, whichever MAS produced it. */
export interface TargetStep {
  trajectory: Trajectory;
  step: Step;
  source: 'credit' | 'user';
  /** What credit said about the step (its blame, the issues that cite it); undefined when credit is silent on it. */
  reason?: string;
}

/** A step of a command MAS run behind the gateway, with the recorded calls around it. */
export interface InterventionTarget extends TargetStep {
  /** The recorded call whose reply the correction replaces. */
  call: StoredGatewayCall;
  /** Replies of the calls this execution made before the blamed one, by replay key. */
  before: Map<string, Record<string, unknown>>;
  /** Recorded calls after the blamed one (they go live in a re-run): the projection's basis. */
  after: StoredGatewayCall[];
}

export interface TargetQuery {
  taskId: string;
  /** A step id, "step 7" or a number (resolveStep.ts); default: credit's blamed step. */
  step?: string;
}

const list = (ids: readonly string[], max = 12) => `${ids.slice(0, max).join(', ')}${ids.length > max ? `, … (${ids.length} in all)` : ''}`;

/** The failed task's trajectory and the step to correct: the user's --step, else credit's blamed step. */
export function resolveTargetStep(run: StoredRun, credit: CreditReport | undefined, query: TargetQuery): TargetStep {
  const runId = run.manifest.runId;
  const trajectory = [...run.trajectories].reverse().find((t) => t.taskId === query.taskId);
  if (!trajectory) {
    const ids = [...new Set(run.trajectories.map((t) => t.taskId))];
    throw new InterventionError(`Run ${runId} has no task "${query.taskId}"${ids.length ? `; its tasks are ${list(ids)}` : ' (it finished no task)'}.`);
  }
  if (trajectory.outcome?.success !== false) {
    throw new InterventionError(`Task ${query.taskId} ${trajectory.outcome ? 'succeeded' : 'was not scored'} in run ${runId}; intervention checks the blame of a failed task.`);
  }
  const blame = credit ? truceDetails(credit).blame[query.taskId] : undefined;
  let step: Step | undefined;
  let source: 'credit' | 'user';
  if (query.step !== undefined) {
    step = resolveStepRef(trajectory, query.step);
    if (!step) throw new InterventionError(`Task ${query.taskId} of run ${runId} has no step "${query.step}"; its steps are ${list(trajectory.steps.map((s) => s.id), 40)}.`);
    source = 'user';
  } else {
    if (!credit) throw new InterventionError(`Run ${runId} has no credit yet, so no step is blamed: run \`truce credit ${runId}\` first, or name the step with --step.`);
    if (!blame?.stepId) throw new InterventionError(`Credit blamed no step of task ${query.taskId}${blame ? ` (${blame.why})` : ''}; name the step to correct with --step.`);
    step = trajectory.steps.find((s) => s.id === blame.stepId);
    if (!step) throw new InterventionError(`Credit blames step ${blame.stepId} of task ${query.taskId}, which the run's trajectory does not hold; run \`truce credit ${runId}\` again.`);
    source = 'credit';
  }
  const reason = creditReason(step, blame, credit ? truceDetails(credit).phi[query.taskId] : undefined);
  return { trajectory, step, source, ...(reason ? { reason } : {}) };
}

export async function findTarget(run: StoredRun, credit: CreditReport | undefined, query: TargetQuery): Promise<InterventionTarget> {
  const runId = run.manifest.runId;
  const { trajectory, step, source, reason } = resolveTargetStep(run, credit, query);
  const callId = step.attrs.callId;
  if (typeof callId !== 'string') {
    const why = run.manifest.config.mas && (run.manifest.config.mas as { kind?: string }).kind === 'command'
      ? 'no gateway call produced it (the MAS ran without the gateway, or the step is not a model reply — a tool result, a message the program wrote)'
      : 'it was not recorded through the gateway (an imported log)';
    throw new InterventionError(`Step ${step.id} of task ${query.taskId} (${step.agentId}) has no recorded model call: ${why}. It cannot be intervened on; steps of a command MAS run behind the gateway (mas.gateway) can.`);
  }
  const calls = (await readJsonlFile(join(run.dir, RUN_FILES.gatewayCalls))).lines.map((l) => l.value as StoredGatewayCall);
  // Call ids restart with each invocation of a run; the execution that produced the stored trajectory is the last.
  const at = findLastIndex(calls, (c) => c.id === callId && c.taskId === query.taskId);
  const call = calls[at];
  if (!call) throw new InterventionError(`Step ${step.id} of task ${query.taskId} names gateway call ${callId}, which ${RUN_FILES.gatewayCalls} of run ${runId} does not hold; the run folder is incomplete.`);
  if (call.status !== 200 || call.error !== undefined || !call.response || typeof call.key !== 'string') {
    throw new InterventionError(`Gateway call ${callId} of step ${step.id} did not complete (${call.error ?? `status ${call.status}`}); only a call with a reply can be answered differently.`);
  }
  const same = (c: StoredGatewayCall) => c.taskId === query.taskId && c.sample === call.sample;
  const before = new Map<string, Record<string, unknown>>();
  for (const c of calls.slice(0, at)) {
    if (!same(c) || c.status !== 200 || c.error !== undefined || typeof c.key !== 'string' || !c.response || before.has(c.key)) continue;
    before.set(c.key, c.response as Record<string, unknown>);
  }
  const after = calls.slice(at + 1).filter((c) => same(c) && c.served !== 'refused');
  return { trajectory, step, source, ...(reason ? { reason } : {}), call, before, after };
}

/** Credit's words about the step: its blame when it is the blamed step, and the issues citing it. */
function creditReason(step: Step, blame: { stepId?: string; why: string } | undefined, parts: PhiPart[] | undefined): string | undefined {
  const lines: string[] = [];
  if (blame?.stepId === step.id) lines.push(`Blamed as the decisive error: ${blame.why}`);
  for (const part of parts ?? []) for (const p of part.points) if (p.kind === 'issue' && p.stepIds.includes(step.id) && !lines.includes(p.text)) lines.push(p.text);
  return lines.length ? lines.join('\n') : undefined;
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i] as T)) return i;
  return -1;
}
