/**
 * Unit-level credit: which rules a task's evidence implicates, and in which direction, so the
 * editor can show credit on each rule. Φ never sees the rules and Ψ only proposes edits, so the
 * two are joined here, per task and per rule u of an agent a:
 *
 *  - Ψ targeted u (MODIFY or DELETE): a negative link, strength = how harmful the parts holding the
 *    suggestion's evidence were (−overall, at least 0.25; 0.5 without Φ).
 *  - A Φ highlight or issue on one of a's steps whose text is lexically close to u's text
 *    (textSimilarity ≥ LINK_SIMILARITY): the behaviour the rule asks for is the behaviour the
 *    point is about. Highlight → +max(0.25, overall⁺), issue → −max(0.25, overall⁻) of its part.
 *
 * The unit's score for the task is the mean of its links, clamped to [−1, 1]; its evidence is the
 * union of their steps. Rules without links get no signal: silence is not credit.
 */
import type { CreditSignal, RawSuggestion } from '../types';
import { textSimilarity, type AgentPrompt } from '../../units';
import type { PhiPart } from './phiCredit';

export const LINK_SIMILARITY = 0.3;
const MIN_STRENGTH = 0.25;

export interface CreditedAgent {
  /** The config agent id (what steps carry). */
  agentId: string;
  prompt: AgentPrompt;
}

interface Link {
  value: number;
  text: string;
  steps: string[];
}

export function partOfStep(parts: readonly PhiPart[], stepId: string): PhiPart | undefined {
  return parts.find((p) => p.stepIds.includes(stepId));
}

export function deriveUnitCredit(
  taskIds: readonly string[],
  phi: ReadonlyMap<string, readonly PhiPart[]>,
  raws: readonly RawSuggestion[],
  agents: readonly CreditedAgent[],
  stepAgent: ReadonlyMap<string, ReadonlyMap<string, string>>,
): CreditSignal[] {
  const out: CreditSignal[] = [];
  for (const taskId of taskIds) {
    const parts = phi.get(taskId);
    const owners = stepAgent.get(taskId) ?? new Map<string, string>();
    for (const { agentId, prompt } of agents) {
      for (const unit of prompt.units) {
        const links: Link[] = [];
        for (const s of raws) {
          if (s.taskId !== taskId || s.edit.op === 'ADD' || s.edit.agentId !== prompt.id || s.edit.targetUnitId !== unit.id) continue;
          const steps = s.evidence.flatMap((e) => e.stepIds);
          const harms = parts ? steps.map((id) => partOfStep(parts, id)?.overall).filter((x): x is number => x !== undefined) : [];
          const strength = parts ? Math.max(MIN_STRENGTH, harms.length ? -Math.min(...harms) : MIN_STRENGTH) : 0.5;
          links.push({ value: -Math.min(1, strength), text: `Ψ proposes ${s.edit.op}: ${s.rationale}`, steps });
        }
        for (const part of parts ?? []) {
          for (const point of part.points) {
            if (!point.stepIds.some((id) => owners.get(id) === agentId)) continue;
            if (textSimilarity(point.text, unit.text) < LINK_SIMILARITY) continue;
            const value = point.kind === 'highlight' ? Math.max(MIN_STRENGTH, part.overall) : -Math.max(MIN_STRENGTH, -part.overall);
            links.push({ value, text: `${point.kind === 'highlight' ? 'helped' : 'hurt'} in ${part.label}: ${point.text}`, steps: point.stepIds });
          }
        }
        if (!links.length) continue;
        const score = Math.max(-1, Math.min(1, links.reduce((s, l) => s + l.value, 0) / links.length));
        out.push({
          scope: 'unit',
          ref: unit.id,
          taskId,
          score,
          text: links.map((l) => l.text).join(' | '),
          evidence: [...new Set(links.flatMap((l) => l.steps))].sort(),
          method: 'truce',
          parts: {
            targeted: links.filter((l) => l.text.startsWith('Ψ')).length,
            highlights: links.filter((l) => l.text.startsWith('helped')).length,
            issues: links.filter((l) => l.text.startsWith('hurt')).length,
          },
        });
      }
    }
  }
  return out;
}

/** Mean unit credit across tasks, for tables and CodeLens: unit id → {score, tasks}. */
export function summarizeUnitCredit(signals: readonly CreditSignal[]): Array<{ unitId: string; score: number; tasks: number; evidence: number }> {
  const acc = new Map<string, { sum: number; tasks: Set<string>; evidence: number }>();
  for (const s of signals) {
    if (s.scope !== 'unit') continue;
    const a = acc.get(s.ref) ?? { sum: 0, tasks: new Set<string>(), evidence: 0 };
    a.sum += s.score;
    a.tasks.add(s.taskId);
    a.evidence += s.evidence.length;
    acc.set(s.ref, a);
  }
  return [...acc.entries()]
    .map(([unitId, a]) => ({ unitId, score: a.sum / a.tasks.size, tasks: a.tasks.size, evidence: a.evidence }))
    .sort((x, y) => x.score - y.score || (x.unitId < y.unitId ? -1 : 1));
}
