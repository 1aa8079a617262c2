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
 *
 * Phases, each in marble/: envelope (marbleEnvelope.ts: agents, outcome, identity) → steps of an
 * iteration (marbleSteps.ts) → its round and summary (marbleRounds.ts), with the read rules above
 * in marbleReads.ts; the record's varying field shapes are read in marbleFields.ts.
 */
import type { ImportIssue, ImportResult } from './importResult';
import { acceptBuilt } from './importResult';
import { forEachLineOfText, parseJsonLine } from './jsonl';
import type { MarbleConfig } from './marbleConfig';
import { envelope, marbleRun } from './marble/marbleEnvelope';
import { asRecord, readIteration } from './marble/marbleFields';
import { iterationRound } from './marble/marbleRounds';
import { iterationSteps } from './marble/marbleSteps';
import { StepLog } from './marble/stepLog';
import type { Round, Step, Trajectory } from './schema';

export { MARBLE_PLANNER_ID } from './marble/marbleEnvelope';
export { parseSession, splitAgentResult } from './marble/marbleSessions';

export interface MarbleImportOptions {
  source?: string;
  /** The task config the run came from: supplies agent ids that never acted and agent profiles. */
  config?: MarbleConfig;
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

/** One record: envelope → per iteration, its steps (with their reads) and its round → the trajectory. */
function buildTrajectory(record: Record<string, unknown>, line: number, options: MarbleImportOptions, errors: ImportIssue[]): Trajectory | undefined {
  const run = marbleRun(record, line, options.source, options.config);
  const known = new Set(run.agentIds);
  const log = new StepLog();
  const rounds: Round[] = [];
  let previousSummary: Step | undefined;
  (record.iterations as unknown[]).forEach((raw, index) => {
    const it = readIteration(raw, index, known, line, errors);
    if (!it) return;
    const resultSteps = iterationSteps(log, it, { taskText: run.taskText, mode: run.mode, previousSummary });
    const { round, summary } = iterationRound(log, it, resultSteps);
    if (summary) previousSummary = summary;
    rounds.push(round);
  });
  return envelope(run, log.steps, rounds);
}
