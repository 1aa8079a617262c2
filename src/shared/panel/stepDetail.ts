/**
 * One step as the timeline shows it: its input messages and output (the first chunk of each; the
 * rest on request), reads, usage, timing, the credit signals that cite it, the policy units
 * they implicate, and what an intervention on it found.
 */
import type { Trajectory } from '../../core/trajectory/schema';
import type { StepDetail, TextChunk, TextPage, TextPart } from '../panelProtocol';
import type { TaskCredit } from './creditIndex';
import { mistakeLabel, stepMistake } from './mistakeLabel';
import { PanelLookupError } from './panelRun';
import type { InterventionNote } from './runExtrasSchema';

/** How much of each text the first answer carries; enough for most messages, small for huge ones. */
export const FIRST_CHUNK = 4000;

type Step = Trajectory['steps'][number];

export function chunk(text: string, size = FIRST_CHUNK): TextChunk {
  return { text: text.slice(0, size), total: text.length };
}

export function findStep(trajectory: Trajectory, stepId: string): Step {
  const step = trajectory.steps.find((s) => s.id === stepId);
  if (!step) throw new PanelLookupError(`Task "${trajectory.taskId}" has no step "${stepId}".`);
  return step;
}

/** The step's input as messages; a plain-text input is one message with the role 'input'. */
export function inputMessages(step: Step): Array<{ role: string; name: string | null; content: string }> {
  if (step.input === undefined) return [];
  if (typeof step.input === 'string') return [{ role: 'input', name: null, content: step.input }];
  return step.input.map((m) => ({ role: m.role, name: m.name ?? null, content: m.content }));
}

export function stepDetail(runId: string, trajectory: Trajectory, stepId: string, credit: TaskCredit, rounds: readonly number[], intervention?: InterventionNote): StepDetail {
  const step = findStep(trajectory, stepId);
  const signals = credit.byStep.get(step.id) ?? [];
  const units = new Map<string, { unitId: string; score: number; text: string }>();
  for (const s of signals) {
    if (s.scope !== 'unit' || units.has(s.ref)) continue;
    units.set(s.ref, { unitId: s.ref, score: s.score, text: s.text });
  }
  return {
    runId,
    taskId: trajectory.taskId,
    stepId: step.id,
    seq: step.seq,
    round: step.round,
    gridRow: Math.max(0, rounds.indexOf(step.round)),
    agentId: step.agentId,
    kind: step.kind,
    reads: step.reads,
    usage: { in: step.usage.in, out: step.usage.out, total: step.usage.total ?? null },
    durationMs: step.t_start !== undefined && step.t_end !== undefined ? Math.max(0, step.t_end - step.t_start) : null,
    messages: inputMessages(step).map((m) => ({ role: m.role, name: m.name, content: chunk(m.content) })),
    output: chunk(step.output),
    credit: signals.map((s) => ({ scope: s.scope, ref: s.ref, score: s.score, text: s.text, method: s.method })),
    units: [...units.values()],
    mistake: stepMistake(mistakeLabel(trajectory), step),
    intervention: intervention ? { verdict: intervention.verdict, text: intervention.text, flips: intervention.flips, runs: intervention.runs, correction: chunk(intervention.correction).text } : null,
  };
}

/** A further slice of one of the step's texts ("show more"). */
export function textPage(trajectory: Trajectory, stepId: string, part: TextPart, offset: number, length: number): TextPage {
  const step = findStep(trajectory, stepId);
  let text: string;
  if (part === 'output') text = step.output;
  else {
    const message = inputMessages(step)[part.message];
    if (!message) throw new PanelLookupError(`Step "${stepId}" has no input message ${part.message}.`);
    text = message.content;
  }
  const start = Math.min(offset, text.length);
  return { offset: start, text: text.slice(start, start + length), total: text.length };
}
