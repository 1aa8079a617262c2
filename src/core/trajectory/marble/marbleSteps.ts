/**
 * Steps phase: one engine iteration → its steps, agent by agent in the order the engine handed out
 * tasks — the agent's self-planned task (`llm`; in star mode a `handoff` from the planner), the
 * sessions it opened (`message` steps), and its result (`tool_result` when only the called
 * function answered, else `llm`). Sessions whose opener returned nothing still happened and
 * follow at the end.
 */
import type { Step, StepKind } from '../schema';
import { MARBLE_PLANNER_ID } from './marbleEnvelope';
import type { Iteration } from './marbleFields';
import { messageReads, planReads, resultReads, type SessionEnd } from './marbleReads';
import { splitAgentResult } from './marbleSessions';
import type { StepLog } from './stepLog';

/** What the steps of an iteration depend on beyond the iteration itself. */
export interface IterationContext {
  taskText: string;
  mode: string | undefined;
  /** The planner's summary of the previous iteration. */
  previousSummary: Step | undefined;
}

/** Adds the iteration's plan, message and result steps to `log`; returns its result steps. */
export function iterationSteps(log: StepLog, it: Iteration, context: IterationContext): Step[] {
  const emitted = new Set<number>();
  const sessionEnds: SessionEnd[] = [];
  const plans = new Map<string, Step>();
  const resultSteps: Step[] = [];
  const order = [...new Set([...it.assignments.keys(), ...it.results.map((r) => r.agent)])];
  for (const agent of order) {
    const assignment = it.assignments.get(agent);
    if (assignment !== undefined && assignment !== context.taskText && assignment.trim() !== '') plans.set(agent, planStep(log, it, context, agent, assignment));
    it.sessions.forEach((s, k) => {
      if (!emitted.has(k) && s.messages[0]?.from === agent) sessionSteps(log, it, k, plans.get(agent) ?? context.previousSummary, emitted, sessionEnds);
    });
    for (const r of it.results.filter((x) => x.agent === agent)) {
      resultSteps.push(resultStep(log, it, agent, r.result, assignment, resultReads(agent, plans.get(agent), context.previousSummary, sessionEnds)));
    }
  }
  // Sessions whose opener produced no result this iteration still happened.
  it.sessions.forEach((_s, k) => {
    if (!emitted.has(k)) sessionSteps(log, it, k, context.previousSummary, emitted, sessionEnds);
  });
  return resultSteps;
}

function planStep(log: StepLog, it: Iteration, context: IterationContext, agent: string, assignment: string): Step {
  const star = context.mode === 'star';
  return log.push({
    id: `${it.prefix}.plan.${agent}`,
    round: it.index,
    agentId: star ? MARBLE_PLANNER_ID : agent,
    kind: star ? 'handoff' : 'llm',
    output: assignment,
    reads: planReads(context.previousSummary),
    attrs: { phase: 'plan', for: agent },
  });
}

/** Session `k` as message steps, the first reading `opener`; its last message is kept in `sessionEnds`. */
function sessionSteps(log: StepLog, it: Iteration, k: number, opener: Step | undefined, emitted: Set<number>, sessionEnds: SessionEnd[]): void {
  emitted.add(k);
  const session = it.sessions[k] as NonNullable<Iteration['sessions'][number]>;
  let previous = opener;
  session.messages.forEach((m, j) => {
    previous = log.push({
      id: `${it.prefix}.session${k + 1}.m${j + 1}`,
      round: it.index,
      agentId: m.from,
      kind: 'message',
      output: m.text,
      reads: messageReads(previous),
      attrs: { to: m.to, ...(session.id ? { session: session.id } : {}) },
    });
  });
  if (previous && session.messages.length > 0) sessionEnds.push({ participants: new Set(session.messages.flatMap((m) => [m.from, m.to])), last: previous });
}

function resultStep(log: StepLog, it: Iteration, agent: string, result: string, assignment: string | undefined, reads: string[]): Step {
  const { model, fn } = splitAgentResult(result);
  const kind: StepKind = fn !== undefined && model === '' ? 'tool_result' : 'llm';
  return log.push({
    id: `${it.prefix}.result.${agent}`,
    round: it.index,
    agentId: agent,
    kind,
    ...(assignment !== undefined && assignment !== '' ? { input: assignment } : {}),
    output: result,
    reads,
    attrs: { phase: 'act', ...(model !== '' && fn !== undefined ? { modelText: model } : {}) },
  });
}
