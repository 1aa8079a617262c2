/**
 * The state one run carries from phase to phase (docs/run-engine-phases.md). Each phase takes what
 * the ones before it produced and adds its own part; what earlier invocations left (a resume) and
 * what may still be spent (the budget) are fields here, settled once, so no later phase asks
 * whether it is resuming or how much is left.
 */
import type { TruceConfig } from '../../config';
import type { Evaluator } from '../../eval';
import type { Accounting, Budget, BudgetLimits, CacheMode, EndpointConfig, EndpointRole, LlmClients, LlmServices, PendingCacheWrites } from '../../llm';
import type { RunBatchLedger } from '../../llm/batch/batchLedger';
import type { MasRunner, MasTask, PromptSet } from '../../mas/types';
import type { FileLock, RunStore, StoredCallRecord, StoredRun } from '../../store';
import type { SelectedTask, SplitName, TaskSplit } from '../../tasks';
import type { Trajectory } from '../../trajectory/schema';
import type { CallRecorder } from '../callRecorder';
import type { MasBackend, MasBackendContext } from '../masBackend';
import type { RunMasOptions } from '../runOptions';
import type { PromptFileSnapshot } from '../runIdentity';
import type { RunGateway } from '../runGateway';
import type { TaskContext, TaskScope } from '../taskContext';

/** Inputs: the request, its checked configuration and its task file. */
export interface RunInputs {
  options: RunMasOptions;
  workspaceRoot: string;
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  config: TruceConfig;
  tasks: MasTask[];
  taskText: string;
  backend: MasBackend;
  backendContext: MasBackendContext;
  /** The run folder's lock (runLock.ts), held from before the run is read until its last write. */
  held: FileLock[];
}

/** The prompt set the run executes and what identifies the run for resume and reuse. */
export interface RunPrompts {
  prompts: PromptSet;
  promptFiles: PromptFileSnapshot[];
  identity: { configHash: string; promptHash: string; taskFileSha256: string };
}

/** What earlier invocations of this run left behind; empty for a new run. */
export interface CarriedOver {
  /** The stored run this invocation continues, when it continues one. */
  run?: StoredRun;
  trajectories: Trajectory[];
  calls: StoredCallRecord[];
  /** Invocations before this one. */
  invocations: number;
}

export interface PendingTask {
  task: MasTask;
  split: SplitName;
}

/** Task pool: which tasks the run holds, and which of them this invocation still runs. */
export interface TaskPlan {
  split: TaskSplit<MasTask>;
  selection: SelectedTask[];
  pending: PendingTask[];
  /** Tasks finished by earlier invocations, skipped now. */
  finishedBefore: Set<string>;
  concurrency: number;
}

/** The LLM layer and the run's budget, evaluator and MAS runner. */
export interface RunServices {
  cacheMode: CacheMode;
  limits: BudgetLimits;
  /** What earlier invocations spent; the budget starts from it. */
  spent: { calls: number; tokens: number; costUsd: number };
  budget: Budget;
  accounting: Accounting;
  taskContext: TaskContext;
  recorder: CallRecorder;
  /**
   * Calls do not wait for their cache writes (that wait sat on every call's path); each task waits
   * for its own before its trajectory is stored, so a stored trajectory's replies are always cached.
   */
  cacheWrites: PendingCacheWrites;
  batchLedger: RunBatchLedger;
  llm: LlmServices;
  endpoints: Partial<Record<EndpointRole, EndpointConfig>>;
  clients: LlmClients;
  evaluator: Evaluator;
  runner: MasRunner;
  /** The command MAS's calls go through the gateway. */
  useGateway: boolean;
  /** The run whose gateway recordings `--replay RUN` answers from. */
  replayDir?: string;
}

/** Everything up to the run folder: the run as it starts. */
export interface RunState extends RunInputs, RunPrompts {
  before: CarriedOver;
  plan: TaskPlan;
  services: RunServices;
}

/** A run with its folder open: the execution, journal and finish phases share this. */
export interface OpenRun extends RunState {
  store: RunStore;
  runId: string;
  invocation: number;
  startedAt: Date;
  /** Every trajectory of the run so far, the earlier invocations' first. */
  results: Trajectory[];
  /** Aborted by a dead endpoint or a failed store; the user's cancel reaches tasks through `taskSignal` too. */
  halt: AbortController;
  taskSignal: AbortSignal;
  /** The first store write that failed; the run ends with it. */
  storeFailure?: Error;
  /** The tasks in flight, for the calls reported outside their async context (gateway, spans). */
  scopes: Map<string, TaskScope>;
  gateway?: RunGateway;
}
