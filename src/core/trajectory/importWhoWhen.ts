/**
 * Who&When failure-attribution logs → trajectories with labels.
 *
 * Two shapes exist upstream:
 *  - hand-crafted (Magentic-One): `history[{content, role}]` where `role` carries both the agent and
 *    the channel: "Orchestrator (thought)", "Orchestrator (-> WebSurfer)", "WebSurfer", "human";
 *  - algorithm-generated (CaptainAgent/AutoGen group chat): `history[{content, role, name}]` with
 *    the agent in `name`, plus `system_prompt` (agent → prompt).
 * Both carry `mistake_agent`, `mistake_step` (a 0-based index into `history`, as a string),
 * `mistake_reason`, `question`, `ground_truth`, and optionally `level` and `mistake_type`. Any value
 * may arrive as a string. Every log is a failed run, so the outcome is score 0.
 *
 * One history entry is one step, with id `s<index>` so the label's step index maps onto a step id.
 * The logs are broadcast group chats: every agent sees the whole history, so the text cannot tell
 * which earlier messages a reply used. A step therefore reads the entry it answers (the one before
 * it) and, when an orchestrator addressed this agent earlier in the round ("-> WebSurfer"), that
 * instruction — the conversational dependency annotators follow when they read a log step by step.
 * Rounds use the speaker-repeat heuristic over turns (consecutive entries of one agent are one turn).
 */
import { basename, dirname } from 'node:path';
import { acceptBuilt, type ImportIssue, type ImportResult } from './importResult';
import { parseJsonDocument } from './jsonErrors';
import { roundsBySpeakerRepeat } from './rounds';
import type { Agent, AgentKind, Labels, Step, StepKind, Trajectory } from './schema';

export interface WhoWhenImportOptions {
  /** Path of the log; its folder and file name identify the record (`hand-crafted/22.json`). */
  source?: string;
}

/** "Orchestrator (-> WebSurfer)" → agent Orchestrator, channel "-> WebSurfer". */
export function parseWhoWhenRole(role: string): { agent: string; channel?: string } {
  const match = /^(.*?)\s*\(([^()]*)\)\s*$/.exec(role.trim());
  if (!match || !match[1]) return { agent: role.trim() };
  return { agent: match[1], channel: (match[2] as string).trim() };
}

/** Values arrive as strings, numbers or booleans depending on the file; labels are kept as text. */
function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Code-execution agents (Magentic-One's ComputerTerminal, AutoGen's Computer_terminal) run code; they have no prompt. */
function isTerminal(agent: string): boolean {
  return /terminal/i.test(agent);
}

function isHuman(agent: string): boolean {
  return agent === 'human' || agent === 'user';
}

export function importWhoWhenText(text: string, options: WhoWhenImportOptions = {}): ImportResult {
  const result: ImportResult = { trajectories: [], errors: [] };
  const parsed = parseJsonDocument(text);
  if ('issue' in parsed) {
    result.errors.push(parsed.issue);
    return result;
  }
  const records = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  records.forEach((record, i) => {
    const path = Array.isArray(parsed.value) ? `[${i}]` : '';
    try {
      const built = buildTrajectory(record, path, options, result.errors);
      if (built) acceptBuilt(built, result, path ? { path } : {});
    } catch (error) {
      // The importer contract is to never throw; an unforeseen shape costs this record only.
      result.errors.push({ message: `log could not be assembled: ${(error as Error).message}`, ...(path ? { path } : {}) });
    }
  });
  return result;
}

/** One log: envelope checks → history entries → steps with their reads and rounds → agents → labels → the trajectory. */
function buildTrajectory(value: unknown, path: string, options: WhoWhenImportOptions, errors: ImportIssue[]): Trajectory | undefined {
  const at = (p: string): string => (path ? `${path}.${p}` : p);
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    errors.push({ message: 'a Who&When log is a JSON object', ...(path ? { path } : {}) });
    return undefined;
  }
  const record = value as Record<string, unknown>;
  if (!Array.isArray(record.history)) {
    errors.push({ message: 'not a Who&When log: `history` must be a list of messages', path: at('history') });
    return undefined;
  }
  const systemPrompts = record.system_prompt && typeof record.system_prompt === 'object' && !Array.isArray(record.system_prompt) ? (record.system_prompt as Record<string, unknown>) : {};
  const entries = readEntries(record.history, at, errors);
  if (entries.length === 0) {
    errors.push({ message: 'the log has no usable history entries', path: at('history') });
    return undefined;
  }
  const rounds = roundsBySpeakerRepeat(
    entries.map((e) => ({ agentId: e.agent, speaks: true })),
    { mergeConsecutive: true },
  );
  const steps = entrySteps(entries, rounds);
  const agents = agentsOf(entries, systemPrompts);
  const labels = labelsOf(record, steps, agents, at, errors);
  return envelope(record, options, entries, { agents, rounds: [...new Set(rounds)].map((index) => ({ index })), steps, labels });
}

/** One history entry: its index in `history`, the speaker and channel, and the text. */
interface Entry {
  index: number;
  agent: string;
  channel?: string;
  role?: string;
  content: string;
}

/** The usable history entries; one that names no agent is skipped with an error. */
function readEntries(history: unknown[], at: (p: string) => string, errors: ImportIssue[]): Entry[] {
  const entries: Entry[] = [];
  history.forEach((raw, index) => {
    const m = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : undefined;
    // Blank names and roles name nobody: treat them as absent.
    const name = asText(m?.name)?.trim() || undefined;
    const role = asText(m?.role)?.trim() || undefined;
    if (!m || (!name && !role)) {
      errors.push({ message: 'history entry has neither name nor role; skipped', path: at(`history[${index}]`) });
      return;
    }
    // Algorithm-generated logs name the agent; hand-crafted ones fold it into the role.
    const speaker = name ? { agent: name } : parseWhoWhenRole(role as string);
    if (!speaker.agent.trim()) {
      errors.push({ message: `history entry's role "${role}" names no agent; skipped`, path: at(`history[${index}]`) });
      return;
    }
    entries.push({ index, agent: speaker.agent, ...(speaker.channel ? { channel: speaker.channel } : {}), ...(name && role ? { role } : {}), content: asText(m.content) ?? '' });
  });
  return entries;
}

/**
 * One step per entry, id `s<index>`. A step reads the entry before it and, when an orchestrator
 * addressed its agent earlier in the same round ("-> WebSurfer"), that instruction.
 */
function entrySteps(entries: readonly Entry[], rounds: readonly number[]): Step[] {
  const steps: Step[] = [];
  let addressed = new Map<string, string>();
  entries.forEach((e, i) => {
    const round = rounds[i] as number;
    if (i > 0 && round !== rounds[i - 1]) addressed = new Map();
    const target = e.channel?.startsWith('->') ? e.channel.slice(2).trim() : undefined;
    const kind: StepKind = target ? 'handoff' : e.channel ? 'llm' : isTerminal(e.agent) ? 'tool_result' : 'message';
    const reads = new Set<string>();
    const previous = steps[steps.length - 1];
    if (previous) reads.add(previous.id);
    const instruction = addressed.get(e.agent);
    if (instruction) reads.add(instruction);
    const id = `s${e.index}`;
    steps.push({
      id,
      seq: e.index,
      round,
      agentId: e.agent,
      kind,
      output: e.content,
      reads: [...reads].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))),
      usage: { in: 0, out: 0 },
      attrs: { ...(e.channel ? { channel: e.channel } : {}), ...(target ? { to: target } : {}), ...(e.role ? { role: e.role } : {}) },
    });
    if (target) addressed.set(target, id);
  });
  return steps;
}

/** Agents: speakers in order of first appearance, then prompt holders that never spoke. */
function agentsOf(entries: readonly Entry[], systemPrompts: Record<string, unknown>): Agent[] {
  const agents: Agent[] = [];
  const kindOf = (id: string): AgentKind => (isHuman(id) ? 'human' : isTerminal(id) ? 'tool' : 'role');
  const addAgent = (id: string): void => {
    if (agents.some((a) => a.id === id)) return;
    const prompt = asText(systemPrompts[id]);
    agents.push({ id, kind: kindOf(id), ...(prompt !== undefined ? { prompt } : {}) });
  };
  for (const e of entries) addAgent(e.agent);
  for (const id of Object.keys(systemPrompts)) if (id.trim()) addAgent(id);
  return agents;
}

/** The trajectory around its parts: identity, task, the failed outcome every log is, and its source. */
function envelope(
  record: Record<string, unknown>,
  options: WhoWhenImportOptions,
  entries: readonly Entry[],
  parts: Pick<Trajectory, 'agents' | 'rounds' | 'steps'> & { labels: Labels },
): Trajectory {
  const question = asText(record.question);
  const groundTruth = asText(record.ground_truth);
  const subset = 'system_prompt' in record || entries.some((e) => e.role !== undefined) ? 'algorithm-generated' : 'hand-crafted';
  const fileId = options.source ? `${basename(dirname(options.source))}/${basename(options.source)}` : undefined;
  const correctFlag = record.is_correct ?? record.is_corrected;
  return {
    runId: `whowhen:${fileId ?? subset}`,
    taskId: asText(record.question_ID)?.trim() || fileId || 'whowhen',
    ...(question !== undefined ? { task: { input: question, ...(groundTruth !== undefined ? { reference: groundTruth } : {}) } } : {}),
    agents: parts.agents,
    rounds: parts.rounds,
    steps: parts.steps,
    outcome: {
      score: 0,
      success: false,
      details: { dataset: 'Who&When', ...(correctFlag !== undefined ? { sourceCorrectFlag: asText(correctFlag) } : {}), ...(groundTruth !== undefined ? { groundTruth } : {}) },
    },
    usage: { in: 0, out: 0 },
    labels: parts.labels,
    attrs: { source: 'whowhen', subset, ...(options.source ? { file: options.source } : {}) },
  };
}

/**
 * The failure label. `mistake_step` indexes `history`; when the entry there was written by a
 * different agent than `mistake_agent` (three upstream files per subset), both facts are kept and
 * the disagreement is recorded in `notes` and reported as a warning rather than "fixed".
 */
function labelsOf(record: Record<string, unknown>, steps: Step[], agents: Agent[], at: (p: string) => string, errors: ImportIssue[]): Labels {
  const labels: Labels = {};
  const notes: string[] = [];
  const rawAgent = asText(record.mistake_agent)?.trim();
  if (rawAgent) {
    // Upstream once had casing typos ("Websurfer"); match case-insensitively to the agents present.
    const match = agents.find((a) => a.id === rawAgent) ?? agents.find((a) => a.id.toLowerCase() === rawAgent.toLowerCase());
    labels.mistakeAgent = match?.id ?? rawAgent;
    if (!match) notes.push(`mistake_agent "${rawAgent}" never appears in the log`);
  }
  const rawStep = asText(record.mistake_step)?.trim();
  if (rawStep !== undefined) {
    labels.mistakeStep = rawStep;
    const step = /^\d+$/.test(rawStep) ? steps.find((s) => s.seq === Number(rawStep)) : undefined;
    if (step) {
      labels.mistakeStepId = step.id;
      if (labels.mistakeAgent && step.agentId !== labels.mistakeAgent) {
        const note = `mistake_step ${rawStep} is a ${step.agentId} entry, but mistake_agent is ${labels.mistakeAgent}`;
        notes.push(note);
        errors.push({ message: `label inconsistency: ${note}`, path: at('mistake_step'), severity: 'warning' });
      }
    } else {
      const note = `mistake_step "${rawStep}" does not index a history entry`;
      notes.push(note);
      errors.push({ message: note, path: at('mistake_step'), severity: 'warning' });
    }
  }
  const reason = asText(record.mistake_reason);
  if (reason !== undefined) labels.mistakeReason = reason;
  const type = asText(record.mistake_type);
  if (type !== undefined) labels.mistakeType = type;
  const level = asText(record.level);
  if (level !== undefined) labels.level = level;
  // Only one upstream file has it (a single string); a list is accepted too.
  const rawTags = Array.isArray(record.labels) ? record.labels : record.labels !== undefined ? [record.labels] : [];
  const tags = rawTags.map(asText).filter((t): t is string => t !== undefined);
  if (tags.length > 0) labels.tags = tags;
  if (notes.length > 0) labels.notes = notes;
  return labels;
}
