/**
 * What every importer returns. Importers never throw on bad input: whatever they could not read
 * becomes an issue with a location, and whatever they could read is still returned.
 */
import { hasBuiltTrajectoryShape } from './builtShape';
import type { Trajectory } from './schema';
import { checkReferences, validateTrajectory, type ValidationProblem } from './validate';

export interface ImportIssue {
  message: string;
  /** 1-based line in the input file, when the input is line-oriented or the location is known. */
  line?: number;
  /** Location inside the record, e.g. `resourceSpans[0].scopeSpans[1].spans[4].spanId`. */
  path?: string;
  /**
   * `warning`: the data was imported but something about it is doubtful (e.g. a label that
   * disagrees with the log). Absent means `error`: something was skipped.
   */
  severity?: 'warning';
}

export interface ImportResult {
  trajectories: Trajectory[];
  errors: ImportIssue[];
}

export const TRAJECTORY_FORMATS = ['native', 'otlp', 'marble', 'whowhen'] as const;
export type TrajectoryFormat = (typeof TRAJECTORY_FORMATS)[number];

export function isErrorIssue(issue: ImportIssue): boolean {
  return issue.severity !== 'warning';
}

/**
 * The last gate of every importer: what an importer built must pass the same validator as a
 * hand-written file. A failure here is an importer bug on unusual input; it is reported with the
 * record's location instead of producing an invalid trajectory.
 */
export function acceptBuilt(built: unknown, into: ImportResult, where: { line?: number; path?: string }): void {
  const result = validateTrajectory(built);
  if (result.ok) {
    into.trajectories.push(result.trajectory);
    return;
  }
  reportInvalid(result.problems, into, where);
}

/**
 * acceptBuilt without the copy, for an importer whose built trajectories share no object with one
 * another, with anything it keeps, or between two of their own places. When the value already has
 * the exact shape the schema returns (builtShape.ts), only the rules between fields are checked and
 * the value itself is kept; otherwise it goes through acceptBuilt, whose result and issues are the
 * ones this returns either way.
 */
export function acceptBuiltAsIs(built: unknown, into: ImportResult, where: { line?: number; path?: string }): void {
  if (!hasBuiltTrajectoryShape(built)) {
    acceptBuilt(built, into, where);
    return;
  }
  const problems = checkReferences(built);
  if (problems.length === 0) into.trajectories.push(built);
  else reportInvalid(problems, into, where);
}

function reportInvalid(problems: readonly ValidationProblem[], into: ImportResult, where: { line?: number; path?: string }): void {
  for (const problem of problems) {
    into.errors.push({
      message: `imported record is not a valid trajectory: ${problem.message}${problem.path ? ` at ${problem.path}` : ''}`,
      ...(where.line !== undefined ? { line: where.line } : {}),
      ...(where.path !== undefined ? { path: where.path } : {}),
    });
  }
}
