/**
 * Reading MARBLE's record fields, whose shapes vary between coordination modes and engine
 * versions, into one shape per iteration: who was assigned what, who returned what, and the
 * communication sessions.
 */
import type { ImportIssue } from '../importResult';
import { parseSession, type Session } from './marbleSessions';

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
}

/** Task results come as `[{agent_id, result}]` in some iterations and `[{agent1: result}]` in others. */
export function normalizeResults(raw: unknown, rootAgent: string | undefined): { agent: string; result: string }[] {
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
export function normalizeAssignments(raw: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const parts = Array.isArray(raw) ? raw : [raw];
  for (const part of parts) {
    const p = asRecord(part);
    if (p) for (const [agent, task] of Object.entries(p)) if (agent.trim()) out.set(agent.trim(), text(task));
  }
  return out;
}

export function rootAgentOf(iteration: Record<string, unknown>): string | undefined {
  return typeof iteration.root_agent === 'string' ? iteration.root_agent : undefined;
}

/** One engine iteration, read. */
export interface Iteration {
  /** 0-based position in the record: the round index. */
  index: number;
  /** Step id prefix: i1, i2, … */
  prefix: string;
  raw: Record<string, unknown>;
  assignments: Map<string, string>;
  results: { agent: string; result: string }[];
  sessions: Session[];
}

/** The iteration at `index`, or undefined (with an error) when it is not an object. */
export function readIteration(it: unknown, index: number, known: ReadonlySet<string>, line: number, errors: ImportIssue[]): Iteration | undefined {
  const raw = asRecord(it);
  if (!raw) {
    errors.push({ message: 'iteration is not an object; skipped', line, path: `iterations[${index}]` });
    return undefined;
  }
  const root = rootAgentOf(raw);
  const assignments = normalizeAssignments(raw.task_assignments);
  const results = normalizeResults(raw.task_results, root);
  const sessions: Session[] = [];
  if (Array.isArray(raw.communications)) {
    raw.communications.forEach((c, k) => {
      if (typeof c === 'string') sessions.push(parseSession(c, known));
      else errors.push({ message: 'communication is not a transcript string; skipped', line, path: `iterations[${index}].communications[${k}]`, severity: 'warning' });
    });
  }
  return { index, prefix: `i${index + 1}`, raw, assignments, results, sessions };
}
