/** What a run tells its caller while it goes: the CLI prints lines, the extension updates its status bar. */
import type { UsageTotals } from '../llm';
import type { RunStatus } from '../store';
import type { SplitName } from '../tasks';
import type { RunProjection } from './projectRun';

export type RunProgress =
  | {
      type: 'started';
      runId: string;
      dir: string;
      invocation: number;
      /** Tasks to run now. */
      pending: number;
      /** Tasks finished by earlier invocations (resume). */
      skipped: number;
      total: number;
      projection: RunProjection;
    }
  | {
      type: 'task';
      taskId: string;
      split: SplitName;
      score: number;
      success: boolean;
      /** Set when the MAS failed on this task. */
      failure?: string;
      /** Tasks with results so far, this invocation included. */
      done: number;
      total: number;
      /** This invocation's LLM usage so far. */
      usage: UsageTotals;
    }
  | { type: 'interrupted'; taskId: string; reason: string }
  | { type: 'finished'; status: RunStatus; reason?: string };
