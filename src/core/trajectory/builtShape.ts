/**
 * Whether a trajectory an importer built already is, object for object, what the schema would return
 * for it, so that it can be kept as it is instead of being parsed into a copy.
 *
 * Why. Parsing copies every step, message and usage record; on a long trace that copy (and the
 * garbage collector moving it) cost as much as assembling the trace. This check reads each value once
 * and allocates nothing.
 *
 * It is deliberately narrower than the schema: plain objects and arrays only, keys in the schema's
 * order, no `undefined` values, integers that are safe, numbers that are finite, no `labels`. When it
 * says no, the caller parses with the schema as before, which either accepts the value (into the same
 * output a yes would have kept) or reports what is wrong with it. So a yes never lets through anything
 * the schema would reject, and a no costs only the time of the full parse.
 */
import type { z } from 'zod';
import { AGENT_KINDS, AgentSchema, MessageSchema, OutcomeSchema, RoundSchema, STEP_KINDS, StepSchema, TaskSchema, TrajectorySchema, UsageSchema, type Trajectory } from './schema';

/**
 * The keys of one object schema in the order it writes them, and those a value must hold for the
 * schema to return it unchanged: the required ones and those the schema would fill with a default.
 * Read off the schema itself, so a field added to it can never be missed here.
 */
function keysOf(schema: z.ZodObject, leaveOut: readonly string[] = []): { allowed: string[]; present: string[] } {
  const allowed = Object.keys(schema.shape).filter((key) => !leaveOut.includes(key));
  const present = allowed.filter((key) => {
    const empty = (schema.shape[key] as z.ZodType).safeParse(undefined);
    return !empty.success || empty.data !== undefined;
  });
  return { allowed, present };
}

// `labels` is left out: a trajectory with labels (an annotated log) always takes the full parse.
const TRAJECTORY = keysOf(TrajectorySchema, ['labels']);
const TASK = keysOf(TaskSchema);
const AGENT = keysOf(AgentSchema);
const ROUND = keysOf(RoundSchema);
const STEP = keysOf(StepSchema);
const USAGE = keysOf(UsageSchema);
const MESSAGE = keysOf(MessageSchema);
const OUTCOME = keysOf(OutcomeSchema);

const STEP_KIND_SET = new Set<string>(STEP_KINDS);
const AGENT_KIND_SET = new Set<string>(AGENT_KINDS);

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.getPrototypeOf(value) === Object.prototype;
}

function isPlainArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype;
}

/**
 * Own keys only from `allowed`, in its order, none holding `undefined`; `required` all present.
 * Key order matters because the schema writes its output in the order of its own keys.
 */
function hasKeys(o: Plain, allowed: readonly string[], required: readonly string[]): boolean {
  let at = 0;
  for (const key in o) {
    if (!Object.prototype.hasOwnProperty.call(o, key) || o[key] === undefined) return false;
    while (at < allowed.length && allowed[at] !== key) at++;
    if (at === allowed.length) return false;
    at++;
  }
  for (const key of required) if (o[key] === undefined) return false;
  return true;
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isId(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function isTime(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value));
}

/** A free-form bag: a plain object whose own keys are ordinary and whose values are not undefined. */
function isAttrs(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key) || key === '__proto__' || value[key] === undefined) return false;
  }
  return true;
}

function isUsage(value: unknown): boolean {
  return isPlainObject(value) && hasKeys(value, USAGE.allowed, USAGE.present) && isCount(value.in) && isCount(value.out) && (value.total === undefined || isCount(value.total));
}

function isMessages(value: unknown[]): boolean {
  for (const m of value) {
    if (!isPlainObject(m) || !hasKeys(m, MESSAGE.allowed, MESSAGE.present)) return false;
    if (typeof m.role !== 'string' || typeof m.content !== 'string' || !isOptionalString(m.name)) return false;
  }
  return true;
}

function isStepInput(value: unknown): boolean {
  return value === undefined || typeof value === 'string' || (isPlainArray(value) && isMessages(value));
}

function isStrings(value: unknown): boolean {
  if (!isPlainArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}

function isStep(s: unknown): boolean {
  if (!isPlainObject(s) || !hasKeys(s, STEP.allowed, STEP.present)) return false;
  return (
    isId(s.id) &&
    isCount(s.seq) &&
    isCount(s.round) &&
    isId(s.agentId) &&
    typeof s.kind === 'string' &&
    STEP_KIND_SET.has(s.kind) &&
    isStepInput(s.input) &&
    typeof s.output === 'string' &&
    isStrings(s.reads) &&
    isUsage(s.usage) &&
    isTime(s.t_start) &&
    isTime(s.t_end) &&
    isAttrs(s.attrs)
  );
}

function isAgent(a: unknown): boolean {
  if (!isPlainObject(a) || !hasKeys(a, AGENT.allowed, AGENT.present)) return false;
  return isId(a.id) && (a.kind === undefined || (typeof a.kind === 'string' && AGENT_KIND_SET.has(a.kind))) && isOptionalString(a.name) && isOptionalString(a.prompt);
}

function isRound(r: unknown): boolean {
  return isPlainObject(r) && hasKeys(r, ROUND.allowed, ROUND.present) && isCount(r.index) && isOptionalString(r.state) && isOptionalString(r.aggregator);
}

function isOutcome(o: unknown): boolean {
  if (!isPlainObject(o) || !hasKeys(o, OUTCOME.allowed, OUTCOME.present)) return false;
  const score = o.score;
  return typeof score === 'number' && score >= 0 && score <= 1 && typeof o.success === 'boolean' && isAttrs(o.details);
}

function isTask(t: unknown): boolean {
  return isPlainObject(t) && hasKeys(t, TASK.allowed, TASK.present) && typeof t.input === 'string' && isOptionalString(t.reference);
}

function every(list: unknown, check: (item: unknown) => boolean): boolean {
  if (!isPlainArray(list)) return false;
  for (const item of list) if (!check(item)) return false;
  return true;
}

/** True only when parsing `value` with the trajectory schema would succeed and return an equal value. */
export function hasBuiltTrajectoryShape(value: unknown): value is Trajectory {
  if (!isPlainObject(value) || !hasKeys(value, TRAJECTORY.allowed, TRAJECTORY.present)) return false;
  return (
    (value.version === undefined || value.version === 1) &&
    isId(value.runId) &&
    isId(value.taskId) &&
    (value.task === undefined || isTask(value.task)) &&
    every(value.agents, isAgent) &&
    every(value.rounds, isRound) &&
    every(value.steps, isStep) &&
    (value.outcome === undefined || isOutcome(value.outcome)) &&
    isUsage(value.usage) &&
    (value.attrs === undefined || isAttrs(value.attrs))
  );
}
