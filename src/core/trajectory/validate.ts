/**
 * Validation of trajectories: the zod shape plus the referential rules the shape cannot express
 * (reads point to earlier steps, steps sit in declared rounds, agents are declared, rounds run
 * forward). Every problem is reported, each with a path, so a user can fix a file in one pass.
 */
import * as z from 'zod';
import { TrajectorySchema, type Trajectory } from './schema';

export interface ValidationProblem {
  message: string;
  /** Where in the record, e.g. `steps[3].reads[0]`; empty for the record itself. */
  path: string;
  /** 1-based line of the record in a JSONL file. */
  line?: number;
}

export type ValidationResult =
  | { ok: true; trajectory: Trajectory; problems: [] }
  | { ok: false; trajectory?: undefined; problems: ValidationProblem[] };

/**
 * The compiled schema takes a generated fast path for valid input and falls back to the regular
 * parser (with identical issues) for invalid input. JSONL ingest validates every line, so this is
 * what keeps reading close to plain `JSON.parse` speed.
 */
const compiledTrajectorySchema = z.compile(TrajectorySchema);

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Parses and checks one trajectory; `line` is copied into every problem. */
export function validateTrajectory(value: unknown, line?: number): ValidationResult {
  const parsed = compiledTrajectorySchema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => withLine({ message: issue.message, path: formatPath(issue.path) }, line)),
    };
  }
  const problems = checkReferences(parsed.data).map((p) => withLine(p, line));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, trajectory: parsed.data, problems: [] };
}

function withLine(problem: ValidationProblem, line: number | undefined): ValidationProblem {
  return line === undefined ? problem : { ...problem, line };
}

/**
 * The rules between fields. Runs on a shape-valid trajectory; kept separate so importers can check
 * what they built without re-parsing.
 */
export function checkReferences(t: Trajectory): ValidationProblem[] {
  const problems: ValidationProblem[] = [];

  const agentIds = new Set<string>();
  t.agents.forEach((agent, i) => {
    if (agentIds.has(agent.id)) problems.push({ message: `duplicate agent id "${agent.id}"`, path: `agents[${i}].id` });
    agentIds.add(agent.id);
  });

  const roundIndexes = new Set<number>();
  t.rounds.forEach((round, i) => {
    if (roundIndexes.has(round.index)) problems.push({ message: `duplicate round index ${round.index}`, path: `rounds[${i}].index` });
    roundIndexes.add(round.index);
    if (round.aggregator !== undefined && !agentIds.has(round.aggregator)) {
      problems.push({ message: `aggregator "${round.aggregator}" is not a declared agent`, path: `rounds[${i}].aggregator` });
    }
  });

  // Step id -> seq of the steps seen so far, so "earlier" is checked in one forward pass. Plain loops,
  // and a step's path only spelt out when it has a problem: this runs for every step of every import.
  const seqById = new Map<string, number>();
  let previousSeq = -1;
  let previousRound = -1;
  for (let i = 0; i < t.steps.length; i++) {
    const step = t.steps[i] as Trajectory['steps'][number];
    const at = (): string => `steps[${i}]`;
    if (seqById.has(step.id)) problems.push({ message: `duplicate step id "${step.id}"`, path: `${at()}.id` });
    if (step.seq <= previousSeq) {
      problems.push({ message: `steps must be stored in ascending seq (${step.seq} follows ${previousSeq})`, path: `${at()}.seq` });
    }
    if (!agentIds.has(step.agentId)) problems.push({ message: `agent "${step.agentId}" is not declared in agents`, path: `${at()}.agentId` });
    if (!roundIndexes.has(step.round)) problems.push({ message: `round ${step.round} is not declared in rounds`, path: `${at()}.round` });
    if (step.round < previousRound) {
      problems.push({ message: `rounds must not go backwards (round ${step.round} follows round ${previousRound})`, path: `${at()}.round` });
    }
    for (let j = 0; j < step.reads.length; j++) {
      const ref = step.reads[j] as string;
      if (seqById.get(ref) !== undefined) continue;
      const message = ref === step.id ? `step reads itself` : t.steps.some((s) => s.id === ref) ? `reads "${ref}", which is not an earlier step` : `reads unknown step "${ref}"`;
      problems.push({ message, path: `${at()}.reads[${j}]` });
    }
    if (step.t_start !== undefined && step.t_end !== undefined && step.t_end < step.t_start) {
      problems.push({ message: `t_end (${step.t_end}) is before t_start (${step.t_start})`, path: `${at()}.t_end` });
    }
    if (!seqById.has(step.id)) seqById.set(step.id, step.seq);
    previousSeq = Math.max(previousSeq, step.seq);
    previousRound = Math.max(previousRound, step.round);
  }

  const mistakeStepId = t.labels?.mistakeStepId;
  if (mistakeStepId !== undefined && !seqById.has(mistakeStepId)) {
    problems.push({ message: `labels point at unknown step "${mistakeStepId}"`, path: 'labels.mistakeStepId' });
  }
  return problems;
}
