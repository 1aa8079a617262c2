/**
 * What the round's interventions found, carried into the suggestion step. A blame is
 *
 *   - confirmed when at least half the re-runs succeed with its step corrected: the step becomes
 *     the task's blame (source 'intervention'), and TRUCE's Φ gets an issue on it that says so and
 *     gives the reply that worked, so Ψ — which proposes edits from the issues it is shown — is
 *     told which step decided the failure and what the agent should have said there;
 *   - refuted when no re-run succeeds: the step is taken out of the issues that cite it (an issue
 *     left citing nothing is dropped), so Ψ is not asked to fix what did not decide the task;
 *   - unclear otherwise (or when no re-run reached the step): nothing changes.
 *
 * Methods without Φ's issues (BCD) propose their edits during credit; for them, once another
 * agent's step is confirmed as the decisive one, the suggestions of an agent whose step was
 * refuted on that task are dropped.
 */
import type { PhiPart } from '../credit/truce/phiCredit';
import type { CreditReport, RawSuggestion } from '../credit/types';
import type { RoundIntervention } from './optimizeTypes';

export function verdictOf(runs: number, flips: number): RoundIntervention['verdict'] {
  if (runs > 0 && flips * 2 >= runs) return 'confirmed';
  if (runs > 0 && flips === 0) return 'refuted';
  return 'unclear';
}

/** The text of the issue a confirmed step gets, on one line (the credit block lists one issue a line; the simulated Ψ reads it by its opening words). */
export function confirmedIssue(check: RoundIntervention): string {
  return `Checked by intervention: with this step's reply replaced by the one below, ${check.flips} of ${check.runs} re-runs of the task succeeded, so this step decided the failure. The reply that worked: "${check.correction.replace(/\s*\n\s*/g, ' / ')}"`;
}

export function applyFindings(report: CreditReport, checks: readonly RoundIntervention[]): void {
  const details = report.details as { phi?: Record<string, PhiPart[]>; blame?: Record<string, unknown> } | undefined;
  if (!details) return;
  for (const check of checks) {
    if (check.verdict === 'unclear') continue;
    const phi = details.phi;
    const parts = phi?.[check.taskId];
    if (phi && parts) phi[check.taskId] = check.verdict === 'confirmed' ? withConfirmed(parts, check) : withoutRefuted(parts, check.stepId);
    if (check.verdict === 'confirmed' && details.blame) {
      details.blame[check.taskId] = { agent: check.agentId, stepId: check.stepId, source: 'intervention', confidence: check.flips / check.runs, why: `confirmed by intervention: ${check.flips} of ${check.runs} re-runs succeed with ${check.stepId} corrected (credit: ${check.why})` };
    }
  }
}

function withConfirmed(parts: PhiPart[], check: RoundIntervention): PhiPart[] {
  const at = Math.max(0, parts.findIndex((p) => p.stepIds.includes(check.stepId)));
  return parts.map((p, i) => (i === at ? { ...p, points: [...p.points, { kind: 'issue' as const, text: confirmedIssue(check), stepIds: [check.stepId] }] } : p));
}

function withoutRefuted(parts: PhiPart[], stepId: string): PhiPart[] {
  return parts.map((p) => ({
    ...p,
    points: p.points.flatMap((pt) => {
      if (pt.kind !== 'issue' || !pt.stepIds.includes(stepId)) return [pt];
      const rest = pt.stepIds.filter((id) => id !== stepId);
      return rest.length ? [{ ...pt, stepIds: rest }] : [];
    }),
  }));
}

/** Drops the suggestions of agents whose step was refuted on a task where another agent's step was confirmed. */
export function withoutRefutedAgents(raws: readonly RawSuggestion[], checks: readonly RoundIntervention[], note: (message: string) => void): RawSuggestion[] {
  const dropped = new Set<string>();
  for (const check of checks) {
    if (check.verdict !== 'refuted') continue;
    const explained = checks.some((c) => c.taskId === check.taskId && c.verdict === 'confirmed' && c.agentId !== check.agentId);
    const cleared = checks.some((c) => c.taskId === check.taskId && c.verdict === 'confirmed' && c.agentId === check.agentId);
    if (explained && !cleared) dropped.add(`${check.taskId}\u0000${check.agentId}`);
  }
  if (!dropped.size) return [...raws];
  const kept = raws.filter((r) => !dropped.has(`${r.taskId}\u0000${r.edit.agentId}`));
  if (kept.length < raws.length) note(`intervention: ${raws.length - kept.length} suggestion(s) dropped — their agent's step was refuted on a task whose failure another agent's confirmed step explains.`);
  return kept;
}
