/**
 * The contract every evaluator keeps. A result always carries a score in [0,1], a pass/fail
 * verdict and details a user can read; `error` is set only when the evaluator could not judge
 * at all (a judge call failed, a script crashed, the reference is unusable), so a run can tell
 * "the answer was wrong" apart from "we do not know" instead of mixing both into a zero.
 */

/** The task as an evaluator sees it; mirrors the task fields of DESIGN.md §3. */
export interface EvalTask {
  id?: string;
  input?: string;
  reference?: string;
  [key: string]: unknown;
}

export interface EvalInput {
  /** What the system under test answered (usually the final output of the MAS). */
  output: string;
  /** The expected answer, when the task has one. */
  reference?: string;
  task?: EvalTask;
  /** Cancels slow evaluators (command, judge); fast ones ignore it. */
  signal?: AbortSignal;
}

export type EvalErrorKind = 'missing-reference' | 'bad-reference' | 'command-failed' | 'judge-failed';

export interface EvalError {
  kind: EvalErrorKind;
  message: string;
}

export interface EvalResult {
  /** Always finite and within [0,1]. */
  score: number;
  success: boolean;
  details: string | Record<string, unknown>;
  error?: EvalError;
}

export type EvaluatorType = 'exact' | 'choice' | 'regex' | 'numeric' | 'contains-all' | 'command' | 'llm-judge';

export interface Evaluator {
  readonly type: EvaluatorType;
  /** Never rejects because of what the model wrote; only cancellation propagates. */
  evaluate(input: EvalInput): Promise<EvalResult>;
}
