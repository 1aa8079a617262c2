/**
 * What a command MAS prints on stdout, read line by line into one trajectory.
 *
 * Every line that starts with `{` is one JSON object; other lines are the program's own logging
 * and are ignored (counted in `attrs.stdoutIgnoredLines`). An object is one of:
 *
 * - a whole trajectory in the native schema (it has a `steps` list, or `"type": "trajectory"` with
 *   the trajectory inline or under `trajectory`). It may carry an extra `answer` field. When
 *   several are printed, the last one counts;
 * - `{"type": "step", ...}`: one step, printed as soon as it happened. `seq` defaults to the
 *   order of arrival, `id` to `s{seq}`, `round` to the round of the previous step (0 at first),
 *   `kind` to `llm`; `agentId` and `output` are required;
 * - `{"type": "agent", "id", "kind"?, "name"?, "prompt"?}` and `{"type": "round", "index",
 *   "state"?, "aggregator"?}`: declarations. Agents and rounds that steps use are declared
 *   automatically when the program does not declare them;
 * - `{"type": "answer", "answer": "..."}`: the final answer.
 *
 * Streamed agents, rounds and steps are added to a whole trajectory when both are printed.
 * `runId` and `taskId` are always those of the execution. An `outcome` the program computed is
 * kept in `attrs.reportedOutcome` (TRUCE's evaluator scores the answer itself).
 *
 * The answer is, in this order: the last `answer` line; the `answer` field of the trajectory
 * line; `attrs.answer` when it is a string; the output of the last step (highest `seq`).
 */
import type * as z from 'zod';
import { AgentSchema, RoundSchema, StepSchema, type Agent, type Round, type Step, type Trajectory } from '../trajectory/schema';
import { totalUsage } from '../trajectory/usage';
import { formatPath, validateTrajectory } from '../trajectory/validate';

type PartialTrajectory = Omit<Trajectory, 'outcome'>;

export interface CommandOutput {
  /** Undefined when nothing usable was printed, or when it does not validate (see problems). */
  trajectory?: PartialTrajectory;
  answer?: string;
  /** Lines that could not be used and validation problems, each naming its stdout line or path. */
  problems: string[];
  /** Whether any trajectory, step, agent or round came at all. */
  printedTrajectory: boolean;
  ignoredLines: number;
}

export class CommandOutputReader {
  private whole: Record<string, unknown> | undefined;
  private wholeAnswer: string | undefined;
  private answer: string | undefined;
  private readonly agents: Agent[] = [];
  private readonly rounds = new Map<number, Round>();
  private readonly steps: Step[] = [];
  private readonly problems: string[] = [];
  private ignored = 0;
  private nextSeq = 0;
  private currentRound = 0;

  constructor(private readonly onStep?: (step: Step) => void) {}

  /** `line` is 1-based, for messages. */
  line(text: string, line: number): void {
    const trimmed = text.trim();
    if (!trimmed.startsWith('{')) {
      if (trimmed !== '') this.ignored++;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      this.problems.push(`stdout line ${line}: not valid JSON (${(error as Error).message})`);
      return;
    }
    const obj = value as Record<string, unknown>;
    const { type, ...rest } = obj;
    if (type === undefined && Array.isArray(obj.steps)) return this.takeWhole(rest);
    switch (type) {
      case 'trajectory':
        return this.takeWhole(isObject(rest.trajectory) ? { ...rest.trajectory, ...(rest.answer !== undefined ? { answer: rest.answer } : {}) } : rest);
      case 'step':
        return this.takeStep(rest, line);
      case 'agent':
        return this.take(AgentSchema, rest, line, 'agent', (agent) => {
          const at = this.agents.findIndex((a) => a.id === agent.id);
          if (at === -1) this.agents.push(agent);
          else this.agents[at] = { ...this.agents[at], ...agent };
        });
      case 'round':
        return this.take(RoundSchema, rest, line, 'round', (round) => {
          this.rounds.set(round.index, { ...this.rounds.get(round.index), ...round });
          this.currentRound = round.index;
        });
      case 'answer': {
        const answer = rest.answer ?? rest.output;
        if (typeof answer === 'string') this.answer = answer;
        else this.problems.push(`stdout line ${line}: an answer line needs a string "answer"`);
        return;
      }
      default:
        this.problems.push(`stdout line ${line}: unknown line type ${JSON.stringify(type)}; expected a trajectory or a "step", "agent", "round" or "answer" line`);
    }
  }

  finish(ids: { runId: string; taskId: string }): CommandOutput {
    const printedTrajectory = this.whole !== undefined || this.steps.length > 0 || this.agents.length > 0 || this.rounds.size > 0;
    const out: CommandOutput = { problems: [...this.problems], printedTrajectory, ignoredLines: this.ignored };
    if (!printedTrajectory) {
      if (this.answer !== undefined) out.answer = this.answer;
      return out;
    }
    const base = this.whole ?? {};
    const { outcome, ...fields } = base;
    const agents = Array.isArray(fields.agents) ? [...(fields.agents as Agent[])] : [];
    const rounds = Array.isArray(fields.rounds) ? [...(fields.rounds as Round[])] : [];
    const steps = Array.isArray(fields.steps) ? [...(fields.steps as Step[])] : [];
    for (const agent of this.agents) if (!agents.some((a) => isObject(a) && a.id === agent.id)) agents.push(agent);
    for (const round of this.rounds.values()) {
      const at = rounds.findIndex((r) => isObject(r) && r.index === round.index);
      if (at === -1) rounds.push(round);
      else rounds[at] = { ...rounds[at], ...round };
    }
    const known = new Set(steps.map((s) => (isObject(s) ? s.id : undefined)));
    for (const step of this.steps) {
      if (known.has(step.id)) {
        out.problems.push(`step "${step.id}" was printed twice; the later one was dropped`);
        continue;
      }
      known.add(step.id);
      steps.push(step);
    }
    declareUsed(agents, rounds, steps);
    rounds.sort((a, b) => (isObject(a) && isObject(b) ? a.index - b.index : 0));
    steps.sort((a, b) => (isObject(a) && isObject(b) ? a.seq - b.seq : 0));

    const attrs: Record<string, unknown> = isObject(fields.attrs) ? { ...fields.attrs } : {};
    if (outcome !== undefined) attrs.reportedOutcome = outcome;
    if (this.ignored > 0) attrs.stdoutIgnoredLines = this.ignored;
    const streamedSteps = this.steps.length > 0;
    const candidate: Record<string, unknown> = {
      ...fields,
      runId: ids.runId,
      taskId: ids.taskId,
      agents,
      rounds,
      steps,
      attrs,
    };
    // The program's own total stands unless steps were added to it here.
    if (streamedSteps || fields.usage === undefined) delete candidate.usage;
    const checked = validateTrajectory(candidate);
    if (!checked.ok) {
      for (const p of checked.problems.slice(0, 20)) out.problems.push(`trajectory${p.path ? ` at ${p.path}` : ''}: ${p.message}`);
      if (checked.problems.length > 20) out.problems.push(`… and ${checked.problems.length - 20} more problems`);
      return out;
    }
    const trajectory = checked.trajectory;
    if (candidate.usage === undefined) trajectory.usage = totalUsage(trajectory.steps);
    const { outcome: _none, ...withoutOutcome } = trajectory;
    out.trajectory = withoutOutcome;
    const fromAttrs = typeof attrs.answer === 'string' ? attrs.answer : undefined;
    const lastStep = trajectory.steps[trajectory.steps.length - 1];
    const answer = this.answer ?? this.wholeAnswer ?? fromAttrs ?? lastStep?.output;
    if (answer !== undefined) out.answer = answer;
    return out;
  }

  private takeWhole(fields: Record<string, unknown>): void {
    const { answer, ...rest } = fields;
    this.whole = rest;
    if (typeof answer === 'string') this.wholeAnswer = answer;
    // Steps streamed after it continue its numbering and its last round.
    if (Array.isArray(rest.steps)) {
      for (const step of rest.steps) {
        if (isObject(step) && typeof step.seq === 'number') this.nextSeq = Math.max(this.nextSeq, step.seq + 1);
        if (isObject(step) && typeof step.round === 'number') this.currentRound = step.round;
      }
    }
  }

  private takeStep(fields: Record<string, unknown>, line: number): void {
    const seq = typeof fields.seq === 'number' ? fields.seq : this.nextSeq;
    const round = typeof fields.round === 'number' ? fields.round : this.currentRound;
    const filled = { kind: 'llm', ...fields, seq, round, id: typeof fields.id === 'string' && fields.id !== '' ? fields.id : `s${seq}` };
    this.take(StepSchema, filled, line, 'step', (step) => {
      this.steps.push(step);
      this.nextSeq = Math.max(this.nextSeq, step.seq + 1);
      this.currentRound = step.round;
      this.onStep?.(step);
    });
  }

  private take<T>(schema: z.ZodType<T>, value: unknown, line: number, what: string, use: (v: T) => void): void {
    const parsed = schema.safeParse(value);
    if (parsed.success) use(parsed.data);
    else {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${formatPath(issue.path)}` : '';
      this.problems.push(`stdout line ${line}: invalid ${what}${where}: ${issue?.message ?? 'does not match the schema'}`);
    }
  }
}

/** Agents and rounds that steps (and round aggregators) refer to, declared when the program did not. */
function declareUsed(agents: Agent[], rounds: Round[], steps: Step[]): void {
  const agentIds = new Set(agents.filter(isObject).map((a) => a.id));
  const roundIndexes = new Set(rounds.filter(isObject).map((r) => r.index));
  for (const step of steps) {
    if (!isObject(step)) continue;
    if (typeof step.agentId === 'string' && !agentIds.has(step.agentId)) {
      agentIds.add(step.agentId);
      agents.push({ id: step.agentId });
    }
    if (typeof step.round === 'number' && !roundIndexes.has(step.round)) {
      roundIndexes.add(step.round);
      rounds.push({ index: step.round });
    }
  }
  for (const round of rounds) {
    if (isObject(round) && typeof round.aggregator === 'string' && !agentIds.has(round.aggregator)) {
      agentIds.add(round.aggregator);
      agents.push({ id: round.aggregator, kind: 'aggregator' });
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
