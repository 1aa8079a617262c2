/**
 * What every importer returns. Importers never throw on bad input: whatever they could not read
 * becomes an issue with a location, and whatever they could read is still returned.
 */
import type { Trajectory } from './schema';
import { validateTrajectory } from './validate';

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
  for (const problem of result.problems) {
    into.errors.push({
      message: `imported record is not a valid trajectory: ${problem.message}${problem.path ? ` at ${problem.path}` : ''}`,
      ...(where.line !== undefined ? { line: where.line } : {}),
      ...(where.path !== undefined ? { path: where.path } : {}),
    });
  }
}
