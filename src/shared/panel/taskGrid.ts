/**
 * A task's rounds × agents grid: one row per round, one column per agent, each cell listing the
 * agent's steps in that round with their tokens and the credit the signals give them. Rows are
 * paged: a 10,000-step task has thousands of rounds.
 */
import type { Trajectory } from '../../core/trajectory/schema';
import type { GridCell, GridPage, GridRow } from '../panelProtocol';
import { meanScore, strongest, type TaskCredit } from './creditIndex';
import { mistakeLabel } from './mistakeLabel';
import type { CreditSignalRecord } from './runExtrasSchema';
import { stepTokens } from './taskRows';

/** The static part of a task's grid, computed once per task and paged many times. */
export interface GridLayout {
  agents: GridPage['agents'];
  /** Round indexes in ascending order (rounds may be sparse). */
  rounds: number[];
  /** round → agent → steps, in step order. */
  cells: Map<number, Map<string, Trajectory['steps']>>;
}

export function layoutGrid(trajectory: Trajectory): GridLayout {
  const agents: GridPage['agents'] = trajectory.agents.map((a) => ({ id: a.id, label: a.name ?? a.id, kind: a.kind ?? null }));
  const known = new Set(agents.map((a) => a.id));
  const rounds = new Set(trajectory.rounds.map((r) => r.index));
  const cells = new Map<number, Map<string, Trajectory['steps']>>();
  for (const step of trajectory.steps) {
    // Logs name agents the header did not declare (tools, humans): they still get a column.
    if (!known.has(step.agentId)) {
      known.add(step.agentId);
      agents.push({ id: step.agentId, label: step.agentId, kind: null });
    }
    rounds.add(step.round);
    let row = cells.get(step.round);
    if (!row) cells.set(step.round, (row = new Map()));
    const list = row.get(step.agentId);
    if (list) list.push(step);
    else row.set(step.agentId, [step]);
  }
  return { agents, rounds: [...rounds].sort((a, b) => a - b), cells };
}

/**
 * A cell's credit: the agent-scope signals about this agent that cite the cell's steps when there
 * are any (structural credit is about the role), else every other non-round signal citing them.
 */
export function cellCredit(agentId: string, stepIds: readonly string[], credit: TaskCredit): { credit: number | null; text: string | null } {
  const cited = new Set<CreditSignalRecord>();
  for (const id of stepIds) for (const s of credit.byStep.get(id) ?? []) if (s.scope !== 'round') cited.add(s);
  const all = [...cited];
  const aboutAgent = all.filter((s) => s.scope === 'agent' && s.ref === agentId);
  const chosen = aboutAgent.length > 0 ? aboutAgent : all;
  const top = strongest(chosen);
  return { credit: meanScore(chosen), text: top ? clip(top.text, 300) : null };
}

export function pageGrid(
  runId: string,
  trajectory: Trajectory,
  layout: GridLayout,
  credit: TaskCredit,
  offset: number,
  limit: number,
): GridPage {
  const rows: GridRow[] = layout.rounds.slice(offset, offset + limit).map((round) => {
    const byAgent = layout.cells.get(round);
    const cells: GridCell[] = layout.agents.map(({ id }) => {
      const steps = byAgent?.get(id) ?? [];
      const stepIds = steps.map((s) => s.id);
      const { credit: score, text } = steps.length > 0 ? cellCredit(id, stepIds, credit) : { credit: null, text: null };
      return { agentId: id, stepIds, tokens: steps.reduce((sum, s) => sum + stepTokens(s), 0), credit: score, creditText: text };
    });
    return { round, credit: meanScore(credit.byRound.get(String(round)) ?? []), cells };
  });
  return {
    runId,
    taskId: trajectory.taskId,
    agents: layout.agents,
    offset,
    totalRounds: layout.rounds.length,
    rows,
    outcome: trajectory.outcome ? { score: trajectory.outcome.score, success: trajectory.outcome.success } : null,
    input: trajectory.task ? clip(trajectory.task.input, 2000) : null,
    mistake: mistakeLabel(trajectory),
  };
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
