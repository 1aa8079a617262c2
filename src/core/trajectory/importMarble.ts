/**
 * MARBLE (MultiAgentBench) engine output → trajectories, one per JSONL line (one engine run).
 *
 * MARBLE's engine loop gives the mapping: every iteration each agent gets a task (in graph mode the
 * engine hands out the overall task first, then each agent plans its own next task), acts on it —
 * acting may open communication sessions with other agents — and the engine planner summarises all
 * results into the progress state that feeds the next iteration. So:
 *   iteration i          → round i-1 (0-based), with the planner's summary as the round state;
 *   self-planned task    → `llm` step of that agent (star mode: `handoff` from the planner);
 *   session message      → `message` step of its sender;
 *   agent result         → `tool_result` when the model said nothing and only the called function
 *                          answered (the common case), else `llm`;
 *   summary              → `aggregate` step of the planner (agent `engine_planner`).
 * Reads follow the same loop: a plan reads the previous summary; a session message reads the one
 * before it (the first reads its sender's plan); a result reads its plan (or the previous summary)
 * and the last message of every session of the iteration its agent took part in; the summary
 * reads every result of the iteration.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { acceptBuilt, type ImportIssue, type ImportResult } from './importResult';
import { forEachLineOfText, parseJsonLine } from './jsonl';
import type { MarbleConfig } from './marbleConfig';
import type { Agent, Round, Step, StepKind, Trajectory } from './schema';

export interface MarbleImportOptions {
  source?: string;
  /** The task config the run came from: supplies agent ids that never acted and agent profiles. */
  config?: MarbleConfig;
}

export const MARBLE_PLANNER_ID = 'engine_planner';

interface SessionMessage {
  from: string;
  to: string;
  text: string;
}

interface Session {
  id?: string;
  messages: SessionMessage[];
}

const SESSION_HEADER = /^In Session (\S+)/;
const MESSAGE_START = /^From (\S+) to (\S+): ?/;

/**
 * Splits a session transcript into messages. A line starting "From X to Y: " opens a message only
 * when X and Y are agents of the run, so a message that quotes such a line stays whole.
 */
export function parseSession(text: string, agentIds: ReadonlySet<string>): Session {
  const lines = text.split('\n');
  const session: Session = { messages: [] };
  let current: SessionMessage | undefined;
  lines.forEach((line, i) => {
    const header = i === 0 ? SESSION_HEADER.exec(line) : null;
    if (header) {
      session.id = header[1];
      return;
    }
    const start = MESSAGE_START.exec(line);
    if (start && (agentIds.size === 0 || (agentIds.has(start[1] as string) && agentIds.has(start[2] as string)))) {
      current = { from: start[1] as string, to: start[2] as string, text: line.slice(start[0].length) };
      session.messages.push(current);
    } else if (current) {
      current.text += '\n' + line;
    }
  });
  return session;
}

/** "Result from the model:<text>\nResult from the function:<json>" → its two parts. */
export function splitAgentResult(text: string): { model: string; fn?: string } {
  const match = /^Result from the model:([\s\S]*?)(?:\nResult from the function:([\s\S]*))?$/.exec(text);
  if (!match) return { model: text };
  return { model: (match[1] ?? '').trim(), ...(match[2] !== undefined ? { fn: match[2] } : {}) };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
}

/** Task results come as `[{agent_id, result}]` in some iterations and `[{agent1: result}]` in others. */
function normalizeResults(raw: unknown, rootAgent: string | undefined): { agent: string; result: string }[] {
  if (!Array.isArray(raw)) return [];
  const out: { agent: string; result: string }[] = [];
  for (const entry of raw) {
    const e = asRecord(entry);
    if (!e) continue;
    if ('agent_id' in e) {
      // A result without an agent cannot become a step of anyone; skip it rather than invent one.
      const agent = text(e.agent_id).trim();
      if (agent && e.agent_id !== null) out.push({ agent, result: text(e.result) });
      continue;
    }
    for (const [key, value] of Object.entries(e)) if (key.trim()) out.push({ agent: key === 'root_agent' && rootAgent ? rootAgent : key.trim(), result: text(value) });
  }
  return out;
}

/** Graph mode: a dict agent → task; tree mode: a list of such dicts (often `[{}]`). */
function normalizeAssignments(raw: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const parts = Array.isArray(raw) ? raw : [raw];
  for (const part of parts) {
    const p = asRecord(part);
    if (p) for (const [agent, task] of Object.entries(p)) if (agent.trim()) out.set(agent.trim(), text(task));
  }
  return out;
}

/**
 * MARBLE's judges rate 1–5 and set no pass mark: a rating maps linearly onto [0, 1] and a run counts
 * as successful at or above the scale midpoint. A database task's `accuracy` is already a fraction.
 */
function outcomeOf(record: Record<string, unknown>): Trajectory['outcome'] {
  const evaluation = asRecord(record.task_evaluation) ?? asRecord(record.code_quality);
  if (!evaluation) return undefined;
  if (typeof evaluation.accuracy === 'number' && evaluation.accuracy >= 0 && evaluation.accuracy <= 1) {
    return { score: evaluation.accuracy, success: evaluation.accuracy >= 0.5, details: { ...evaluation } };
  }
  const ratings = Object.values(evaluation).filter((v): v is number => typeof v === 'number' && v >= 1 && v <= 5);
  if (ratings.length === 0) return undefined;
  const score = ratings.reduce((sum, r) => sum + (r - 1) / 4, 0) / ratings.length;
  return { score, success: score >= 0.5, details: { ...evaluation, scale: '1-5 ratings mapped to [0,1]' } };
}

export function importMarbleText(input: string, options: MarbleImportOptions = {}): ImportResult {
  const result: ImportResult = { trajectories: [], errors: [] };
  let records = 0;
  forEachLineOfText(input, (lineText, line) => {
    const parsed = parseJsonLine(lineText, line);
    if ('issue' in parsed) {
      result.errors.push(parsed.issue);
      return;
    }
    records += 1;
    const record = asRecord(parsed.value);
    if (!record || !Array.isArray(record.iterations)) {
      result.errors.push({ message: 'not a MARBLE output record: expected an object with an iterations list', line, path: 'iterations' });
      return;
    }
    try {
      const built = buildTrajectory(record, line, options, result.errors);
      if (built) acceptBuilt(built, result, { line });
    } catch (error) {
      // The importer contract is to never throw; an unforeseen shape costs this record only.
      result.errors.push({ message: `record could not be assembled: ${(error as Error).message}`, line });
    }
  });
  if (records === 0 && result.errors.length === 0) result.errors.push({ message: 'the file holds no MARBLE records' });
  return result;
}

function buildTrajectory(record: Record<string, unknown>, line: number, options: MarbleImportOptions, errors: ImportIssue[]): Trajectory | undefined {
  const taskText = text(record.task);
  const mode = typeof record.coordination_mode === 'string' ? record.coordination_mode : options.config?.coordinateMode;
  const iterations = record.iterations as unknown[];

  // Agent ids: the config, then everyone the record mentions, in order of first mention.
  const agentIds: string[] = [];
  const addAgent = (id: string): void => {
    if (id && id !== MARBLE_PLANNER_ID && !agentIds.includes(id)) agentIds.push(id);
  };
  for (const a of options.config?.agents ?? []) addAgent(a.id);
  iterations.forEach((it) => {
    const iteration = asRecord(it) ?? {};
    const root = typeof iteration.root_agent === 'string' ? iteration.root_agent : undefined;
    if (root) addAgent(root);
    for (const agent of normalizeAssignments(iteration.task_assignments).keys()) addAgent(agent);
    for (const r of normalizeResults(iteration.task_results, root)) addAgent(r.agent);
  });
  for (const agent of Object.keys(asRecord(record.agent_kpis) ?? {})) addAgent(agent);
  const known = new Set(agentIds);

  const steps: Step[] = [];
  const rounds: Round[] = [];
  const usedIds = new Set<string>();
  const push = (draft: Omit<Step, 'seq' | 'usage' | 'attrs' | 'id'> & { id: string; attrs?: Record<string, unknown> }): Step => {
    let id = draft.id;
    for (let n = 2; usedIds.has(id); n++) id = `${draft.id}~${n}`;
    usedIds.add(id);
    const step: Step = { ...draft, id, seq: steps.length, usage: { in: 0, out: 0 }, attrs: draft.attrs ?? {} };
    steps.push(step);
    return step;
  };

  let previousSummary: Step | undefined;
  iterations.forEach((it, index) => {
    const iteration = asRecord(it);
    const prefix = `i${index + 1}`;
    if (!iteration) {
      errors.push({ message: 'iteration is not an object; skipped', line, path: `iterations[${index}]` });
      return;
    }
    const iterationNumber = typeof iteration.iteration === 'number' ? iteration.iteration : index + 1;
    const root = typeof iteration.root_agent === 'string' ? iteration.root_agent : undefined;
    const assignments = normalizeAssignments(iteration.task_assignments);
    const results = normalizeResults(iteration.task_results, root);
    const sessions: Session[] = [];
    if (Array.isArray(iteration.communications)) {
      iteration.communications.forEach((c, k) => {
        if (typeof c === 'string') sessions.push(parseSession(c, known));
        else errors.push({ message: 'communication is not a transcript string; skipped', line, path: `iterations[${index}].communications[${k}]`, severity: 'warning' });
      });
    }
    const emitted = new Set<number>();
    const sessionEnds: { participants: Set<string>; last: Step }[] = [];
    const plans = new Map<string, Step>();

    const emitSession = (k: number, opener: Step | undefined): void => {
      emitted.add(k);
      const session = sessions[k] as Session;
      let previous = opener;
      session.messages.forEach((m, j) => {
        previous = push({
          id: `${prefix}.session${k + 1}.m${j + 1}`,
          round: index,
          agentId: m.from,
          kind: 'message',
          output: m.text,
          reads: previous ? [previous.id] : [],
          attrs: { to: m.to, ...(session.id ? { session: session.id } : {}) },
        });
      });
      if (previous && session.messages.length > 0) sessionEnds.push({ participants: new Set(session.messages.flatMap((m) => [m.from, m.to])), last: previous });
    };

    const order = [...new Set([...assignments.keys(), ...results.map((r) => r.agent)])];
    const resultSteps: Step[] = [];
    for (const agent of order) {
      const assignment = assignments.get(agent);
      if (assignment !== undefined && assignment !== taskText && assignment.trim() !== '') {
        const planner = mode === 'star' ? MARBLE_PLANNER_ID : agent;
        plans.set(
          agent,
          push({
            id: `${prefix}.plan.${agent}`,
            round: index,
            agentId: planner,
            kind: mode === 'star' ? 'handoff' : 'llm',
            output: assignment,
            reads: previousSummary ? [previousSummary.id] : [],
            attrs: { phase: 'plan', for: agent },
          }),
        );
      }
      sessions.forEach((s, k) => {
        if (!emitted.has(k) && s.messages[0]?.from === agent) emitSession(k, plans.get(agent) ?? previousSummary);
      });
      for (const r of results.filter((x) => x.agent === agent)) {
        const { model, fn } = splitAgentResult(r.result);
        const kind: StepKind = fn !== undefined && model === '' ? 'tool_result' : 'llm';
        const reads = new Set<string>();
        const plan = plans.get(agent);
        if (plan) reads.add(plan.id);
        else if (previousSummary) reads.add(previousSummary.id);
        for (const end of sessionEnds) if (end.participants.has(agent)) reads.add(end.last.id);
        resultSteps.push(
          push({
            id: `${prefix}.result.${agent}`,
            round: index,
            agentId: agent,
            kind,
            ...(assignment !== undefined && assignment !== '' ? { input: assignment } : {}),
            output: r.result,
            reads: [...reads],
            attrs: { phase: 'act', ...(model !== '' && fn !== undefined ? { modelText: model } : {}) },
          }),
        );
      }
    }
    // Sessions whose opener produced no result this iteration still happened.
    sessions.forEach((_s, k) => {
      if (!emitted.has(k)) emitSession(k, previousSummary);
    });

    const summary = typeof iteration.summary === 'string' ? iteration.summary : undefined;
    const round: Round = { index };
    if (summary !== undefined) {
      const summaryReads = resultSteps.length > 0 ? resultSteps.map((s) => s.id) : steps.length > 0 ? [(steps[steps.length - 1] as Step).id] : [];
      previousSummary = push({
        id: `${prefix}.summary`,
        round: index,
        agentId: MARBLE_PLANNER_ID,
        kind: 'aggregate',
        output: summary,
        reads: summaryReads,
        attrs: {
          iteration: iterationNumber,
          ...(typeof iteration.continue_simulation === 'boolean' ? { continueSimulation: iteration.continue_simulation } : {}),
          ...(iteration.total_milestones !== undefined ? { totalMilestones: iteration.total_milestones } : {}),
          ...(iteration.agent_kpis !== undefined ? { agentKpis: iteration.agent_kpis } : {}),
        },
      });
      round.state = summary;
      round.aggregator = MARBLE_PLANNER_ID;
    }
    rounds.push(round);
  });

  const profiles = new Map((options.config?.agents ?? []).map((a) => [a.id, a]));
  const agents: Agent[] = agentIds.map((id) => {
    const cfg = profiles.get(id);
    return { id, kind: 'role', ...(cfg?.profile ? { prompt: cfg.profile } : {}), ...(cfg?.role ? { name: `${id} (${cfg.role})` } : {}) };
  });
  // Speakers the config and the results did not name (a session partner that never acted).
  for (const s of steps) if (s.agentId !== MARBLE_PLANNER_ID && !agents.some((a) => a.id === s.agentId)) agents.push({ id: s.agentId, kind: 'role' });
  if (steps.some((s) => s.agentId === MARBLE_PLANNER_ID)) agents.push({ id: MARBLE_PLANNER_ID, kind: 'aggregator', name: 'MARBLE engine planner' });

  const outcome = outcomeOf(record);
  const tokenUsage = typeof record.token_usage === 'number' && Number.isSafeInteger(record.token_usage) && record.token_usage >= 0 ? record.token_usage : undefined;
  const source = options.source ? basename(options.source) : 'marble';
  const extras: Record<string, unknown> = {};
  for (const key of ['planning_scores', 'communication_scores', 'agent_kpis', 'total_milestones', 'task_evaluation', 'code_quality', 'final_output'] as const) {
    if (record[key] !== undefined) extras[key] = record[key];
  }
  return {
    runId: `marble:${source}:${line}`,
    taskId: `marble-task:${createHash('sha256').update(taskText).digest('hex').slice(0, 12)}`,
    task: { input: taskText },
    agents,
    rounds,
    steps,
    ...(outcome ? { outcome } : {}),
    usage: { in: 0, out: 0, ...(tokenUsage !== undefined ? { total: tokenUsage } : {}) },
    attrs: { source: 'marble', ...(options.source ? { file: options.source } : {}), line, ...(mode ? { coordinationMode: mode } : {}), ...extras },
  };
}
