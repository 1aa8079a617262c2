/**
 * Φ for one task: partition the trajectory, ask the optimizer for credit on the parts — all parts
 * in one call when the prompt fits the context budget, otherwise in consecutive batches, each told
 * the summaries of the parts before it — and keep only what the reply can back up: parts that
 * were asked for, step ids that exist. For a failed task the decisive errors the calls named and
 * the signed verdicts become one blamed agent and step (pickBlame.ts).
 */
import type { TruceConfig } from '../../config';
import { callStructured, CHARS_PER_TOKEN, estimatePromptTokens, type ChatMessage } from '../../llm';
import type { CreditSignal, MethodContext } from '../types';
import { toDecisiveAnswer } from '../decisiveError';
import { pickBlame, type BlameChoice, type DecisiveAnswer } from '../pickBlame';
import { buildPhiMessages, PHI_SCHEMA_NAME, PHI_TEMPLATE_VERSION, phiAsksDecisive, phiReplySchema, type PhiReply } from './prompts/phi';
import { partitionTrajectory, type PartitionMode, type SubTrajectory } from '../../trajectory';
import type { Trajectory } from '../../trajectory/schema';

export interface PhiPoint {
  kind: 'highlight' | 'issue';
  text: string;
  stepIds: string[];
  /** For an issue: how much it contributed to the failure, in [0, 1], when the model said. */
  severity?: number;
}

export interface PhiPart {
  index: number;
  label: string;
  stepIds: string[];
  agents: string[];
  progress: number;
  coordination: number;
  stage: number;
  overall: number;
  summary: string;
  points: PhiPoint[];
}

export interface TaskCredit {
  taskId: string;
  parts: PhiPart[];
  /** Φ calls made for the task (batches; repairs not counted). */
  calls: number;
  /** The decisive errors the calls named (one per call that answered the question). */
  decisive: DecisiveAnswer[];
  /** The blamed agent and step of a failed task; undefined for a task that did not fail. */
  blame?: BlameChoice;
}

/** Prompt tokens one Φ call may use when the endpoint's context size is not configured. */
export const DEFAULT_CONTEXT_TOKENS = 12_000;

export function partitionMode(optimizer: TruceConfig['optimizer']): PartitionMode {
  return optimizer.partition === 'window' ? { by: 'window', size: optimizer.windowSize } : { by: optimizer.partition };
}

/**
 * Characters of one step's output a Φ prompt shows: an eighth of the call's budget (about four
 * characters a token), so a part of several long steps still fits one call; never below the
 * renderer's default, never so much that one step crowds out the others.
 */
export function phiStepChars(contextTokens: number): number {
  return Math.min(8_000, Math.max(1_500, Math.floor((contextTokens * CHARS_PER_TOKEN) / 8)));
}

/**
 * Greedy batches of consecutive parts whose prompt stays within `contextTokens`. A part too big on
 * its own still gets a batch of its own (its steps are clipped by the renderer).
 */
export function planPhiBatches(parts: readonly SubTrajectory[], promptTokens: (batch: readonly SubTrajectory[]) => number, contextTokens: number): SubTrajectory[][] {
  const batches: SubTrajectory[][] = [];
  let current: SubTrajectory[] = [];
  for (const part of parts) {
    if (current.length && promptTokens([...current, part]) > contextTokens) {
      batches.push(current);
      current = [];
    }
    current.push(part);
  }
  if (current.length) batches.push(current);
  return batches;
}

/** The reply, reduced to what can be trusted: requested parts only, existing step ids only. */
export function readPhiReply(reply: PhiReply, asked: readonly SubTrajectory[], taskId: string, note: (m: string) => void): PhiPart[] {
  const byIndex = new Map(asked.map((p) => [p.index, p]));
  const done = new Set<number>();
  const out: PhiPart[] = [];
  for (const r of reply.parts) {
    const part = byIndex.get(r.index);
    if (!part) {
      note(`Φ (task ${taskId}) answered for part ${r.index}, which it was not asked about; ignored.`);
      continue;
    }
    if (done.has(r.index)) {
      note(`Φ (task ${taskId}) answered twice for part ${r.index}; the first answer is kept.`);
      continue;
    }
    done.add(r.index);
    const known = new Set(part.stepIds);
    const points: PhiPoint[] = [];
    const keep = (kind: PhiPoint['kind'], p: { stepIds: string[]; text: string; severity?: number | undefined }) => {
      const bad = p.stepIds.filter((id) => !known.has(id));
      if (bad.length) note(`Φ (task ${taskId}, ${part.label}) cited step ids that are not in that part: ${bad.join(', ')}; dropped.`);
      const stepIds = [...new Set(p.stepIds.filter((id) => known.has(id)))];
      points.push({ kind, text: p.text.trim(), stepIds, ...(p.severity !== undefined ? { severity: p.severity } : {}) });
    };
    r.highlights.forEach((p) => keep('highlight', p));
    r.issues.forEach((p) => keep('issue', p));
    out.push({
      index: part.index,
      label: part.label,
      stepIds: part.stepIds,
      agents: part.agents,
      progress: r.progress,
      coordination: r.coordination,
      stage: r.stage,
      overall: r.overall,
      summary: r.summary.trim(),
      points,
    });
  }
  for (const p of asked) if (!done.has(p.index)) note(`Φ (task ${taskId}) gave no credit for ${p.label}; that part has none.`);
  return out;
}

/** The decisive error of one reply, as the pick reads it; undefined when the reply has none. */
export function readDecisive(reply: PhiReply): DecisiveAnswer | undefined {
  return reply.decisive ? toDecisiveAnswer(reply.decisive) : undefined;
}

/** Φ's parts as the pick reads them: the overall score, the other scores, the issues with their severities. */
export function verdictParts(parts: readonly PhiPart[]) {
  return parts.map((p) => ({
    index: p.index,
    overall: p.overall,
    scores: [p.progress, p.coordination, p.stage],
    stepIds: p.stepIds,
    issues: p.points.filter((pt) => pt.kind === 'issue').map((pt) => ({ stepIds: pt.stepIds, ...(pt.severity !== undefined ? { severity: pt.severity } : {}) })),
  }));
}

/** The temperature of repeated samples: the optimizer endpoint's own when it samples, else 0.7. */
export function samplingTemperature(context: MethodContext): number {
  const configured = context.config.llm.optimizer?.temperature ?? context.config.llm.executor.temperature;
  return configured !== undefined && configured > 0 ? configured : 0.7;
}

export async function creditTask(context: MethodContext, trajectory: Trajectory, contextTokens: number, samples = 1): Promise<TaskCredit> {
  const parts = partitionTrajectory(trajectory, partitionMode(context.config.optimizer));
  const stepChars = phiStepChars(contextTokens);
  const build = (batch: readonly SubTrajectory[], earlier: PhiPart[]): ChatMessage[] =>
    buildPhiMessages({ trajectory, parts: batch, earlier: earlier.map((e) => ({ label: e.label, summary: e.summary })), totalParts: parts.length, stepChars });
  // Planned with an empty "earlier" block; the summaries added later are short next to a part.
  const batches = planPhiBatches(parts, (batch) => estimatePromptTokens(build(batch, [])), contextTokens);
  const credited: PhiPart[] = [];
  const decisive: DecisiveAnswer[] = [];
  const temperature = samples > 1 ? samplingTemperature(context) : 0;
  for (const batch of batches) {
    const messages = build(batch, credited);
    const replies = await Promise.all(
      Array.from({ length: samples }, (_, sample) =>
        callStructured(
          context.optimizer,
          { messages, schema: phiReplySchema, schemaName: PHI_SCHEMA_NAME, templateVersion: PHI_TEMPLATE_VERSION, temperature, ...(samples > 1 ? { sample } : {}) },
          { phase: 'phi', ...(context.signal ? { signal: context.signal } : {}) },
        ),
      ),
    );
    const first = replies.find((r) => r.ok);
    if (!first?.ok) {
      const error = replies[0]?.ok === false ? replies[0].error : undefined;
      context.note(`Φ (task ${trajectory.taskId}, ${batch.map((b) => b.label).join(', ')}): the reply could not be used (${error?.message ?? 'no reply'}${error?.issues.length ? `: ${error.issues.slice(0, 3).join('; ')}` : ''}); those parts get no credit.`);
      continue;
    }
    credited.push(...readPhiReply(first.value, batch, trajectory.taskId, context.note));
    for (const reply of replies) {
      const answer = reply.ok ? readDecisive(reply.value) : undefined;
      if (answer) decisive.push(answer);
    }
  }
  const blame = phiAsksDecisive(trajectory) ? pickBlame(trajectory, { decisive, parts: verdictParts(credited) }) : undefined;
  if (blame?.source === 'none') context.note(`Φ (task ${trajectory.taskId}): no step blamed: ${blame.why}.`);
  return { taskId: trajectory.taskId, parts: credited, calls: batches.length * samples, decisive, ...(blame ? { blame } : {}) };
}

/** One signal per credited part: the overall score, the sub-scores, the summary, every cited step. */
export function partSignals(task: TaskCredit): CreditSignal[] {
  return task.parts.map((p) => {
    const evidence = [...new Set(p.points.flatMap((pt) => pt.stepIds))];
    const pointText = p.points.map((pt) => `${pt.kind === 'highlight' ? '+' : '−'} ${pt.text}`).join(' ');
    return {
      scope: 'subtrajectory',
      ref: String(p.index),
      taskId: task.taskId,
      score: p.overall,
      text: pointText ? `${p.label}: ${p.summary} ${pointText}` : `${p.label}: ${p.summary}`,
      evidence,
      method: 'truce',
      parts: { progress: p.progress, coordination: p.coordination, stage: p.stage, overall: p.overall },
    };
  });
}
