/** What a caller hands `runMas` and what it gets back. */
import type { CacheMode, EndpointRole, LlmServicesOptions } from '../llm';
import type { RunStatus, RunSummary } from '../store';
import type { SplitName } from '../tasks';
import type { MasBackend } from './masBackend';
import type { RunProgress } from './runProgress';
import type { ConfirmSpend } from './spendPlan';

export interface RunMasOptions {
  /** A parsed truce.yaml (validated again here, defaults filled in). */
  config: unknown;
  /** Workspace-relative path of the config file, for the manifest. */
  configFile?: string;
  workspaceRoot: string;
  /** Run one split only; default: every task of every split. Ignored on resume. */
  split?: SplitName;
  /** Run at most this many tasks (in task-file order). Ignored on resume. */
  limit?: number;
  /** Tasks in flight at once; default config.concurrency. */
  concurrency?: number;
  /** Continue this run: skip its finished tasks, run the rest. */
  resumeRunId?: string;
  /**
   * Without resumeRunId: when the store already holds this very run (same config, prompts, task
   * file and selection; matchingRun.ts), take it — returned as it is when it completed, resumed
   * when it was interrupted — instead of starting a new one. For callers that re-issue runs after
   * a crash (the optimizer), so no finished task runs twice.
   */
  reuseMatching?: boolean;
  /** 'replay' runs from the response cache only and never touches the network. */
  cacheMode?: CacheMode;
  /**
   * A command MAS behind the gateway: answer its calls from this run's recordings (keyed by the
   * request, its ordinal in the execution and the repeat index); a request that differs goes
   * upstream and is marked as a replay miss.
   */
  replayRunId?: string;
  signal?: AbortSignal;
  onProgress?: (event: RunProgress) => void;
  /** Where apiKeyEnv names are looked up. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether the workspace is trusted; command MAS and command evaluators need it. */
  trusted: boolean;
  /** In-memory keys per role (the editor's secret storage); never written anywhere. */
  secrets?: Partial<Record<EndpointRole, string>>;
  /** The MAS module; tests and the optimizer hand in their own. */
  mas?: MasBackend;
  /** Effects of the LLM layer (tests inject a clock, retry policy, fetch). */
  llm?: Pick<LlmServicesOptions, 'clock' | 'random' | 'retry' | 'fetch' | 'onRetry'>;
  /** Version of the tool that runs (recorded in the manifest). */
  toolVersion?: string;
  /** Check the executor with one call before starting; default on, except in replay. */
  probe?: boolean;
  /**
   * The go/no-go question (spendPlan.ts), asked with the projection before anything is spent or
   * written. Without it a plan that breaks a cap is refused; with it the answer decides, and a run
   * started over the cap stops cleanly when the cap is reached ('stopped-budget', resumable).
   */
  confirmSpend?: ConfirmSpend;
  now?: () => Date;
}

export interface RunResult {
  runId: string;
  dir: string;
  status: RunStatus;
  summary: RunSummary;
  /** reuseMatching found this run complete in the store: nothing ran, nothing was spent. */
  reused?: boolean;
}
