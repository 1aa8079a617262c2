/**
 * Runs the configured MAS over a task set and records everything in the run store (DESIGN.md §2,
 * §5, §6). Setup checks everything that would make every task fail the same way — config, tasks,
 * prompts, keys, the budget against the projected spend, a reachable executor — and refuses with
 * one clear error before a run folder exists. Then tasks run with a concurrency limit; each
 * finished task is scored and appended to the store at once, so a crash loses at most the tasks in
 * flight, and a resume (same run id) skips what is stored and replays the rest from the response
 * cache without paying for any call twice.
 */
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { truceConfigSchema, type TruceConfig } from '../config';
import { createEvaluator, type Evaluator } from '../eval';
import {
  Accounting,
  Budget,
  createLlmClients,
  createLlmServices,
  DiskResponseCache,
  emptyTotals,
  isLlmError,
  MissingApiKeyError,
  resolveEndpoint,
  type BudgetLimits,
  type CacheMode,
  type EndpointConfig,
  type EndpointRole,
  type LlmCallRecord,
  type LlmClient,
  type LlmClients,
  type LlmServicesOptions,
  PendingCacheWrites,
} from '../llm';
import { MasSetupError } from '../mas/errors';
import type { MasRunContext, MasRunner, MasTask, PromptSet } from '../mas/types';
import {
  cacheDir,
  describeStoreError,
  foldCalls,
  lockRunDir,
  loadRun,
  MANIFEST_FORMAT,
  newRunId,
  resolveRunId,
  RunBusyError,
  runDir,
  RunNotFoundError,
  RunRefError,
  runsDir,
  RunStore,
  RunStoreError,
  RUN_FILES,
  summarizeRun,
  type FileLock,
  type Manifest,
  type RunLockPurpose,
  type RunStatus,
  type RunSummary,
  type StoredCallRecord,
  type StoredRun,
} from '../store';
import { parseTasksJsonl, selectTasks, splitTasks, type SelectedTask, type SplitName } from '../tasks';
import type { Trajectory } from '../trajectory/schema';
import { defaultMasBackend, type MasBackend, type MasBackendContext } from './masBackend';
import { probeExecutor } from './probeExecutor';
import { budgetLimits, overBudgetMessage, projectRun } from './projectRun';
import { RunSetupError } from './runErrors';
import { configHash, sha256, snapshotPromptFiles } from './runIdentity';
import type { RunProgress } from './runProgress';
import { checkedTrajectory, failedTrajectory, scoredTrajectory } from './scoredTrajectory';
import { interruptionFor } from './stopReasons';
import { TaskContext, type TaskInterruption, type TaskScope } from './taskContext';
import { testPause } from '../testPause';
import { runPool } from './taskPool';
import { createJudgeCaller } from './judgeCaller';
import { findMatchingRun, isComplete } from './matchingRun';
import type { ConfirmSpend } from './spendPlan';
import { RunBatchLedger } from '../llm/batch/batchLedger';
import { gatewayWanted, readRecordings, RunGateway } from './runGateway';
import { spanCallRecords } from './spanAccounting';

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

interface PendingTask {
  task: MasTask;
  split: SplitName;
}

export async function runMas(options: RunMasOptions): Promise<RunResult> {
  // The run folder's lock (runLock.ts), held from before the run is read until its last write.
  const held: FileLock[] = [];
  try {
    return await runMasLocked(options, held);
  } finally {
    for (const lock of held) lock.release();
  }
}

/** Takes the run folder's lock into `held`, or refuses with who holds it. */
function lockRun(dir: string, runId: string, purpose: RunLockPurpose, held: FileLock[]): void {
  try {
    held.push(lockRunDir(dir, runId, purpose));
  } catch (error) {
    if (error instanceof RunBusyError) throw new RunSetupError(error.message);
    // The lock file could not be written: the run folder is not writable (permissions, full disk).
    // `dir` is <workspace>/.truce/runs/<id>.
    const workspaceRoot = dirname(dirname(dirname(dir)));
    throw new RunStoreError(describeStoreError(error, dir, workspaceRoot, purpose === 'resume' ? `truce run --resume ${runId}` : undefined));
  }
}

async function runMasLocked(options: RunMasOptions, held: FileLock[]): Promise<RunResult> {
  const now = options.now ?? (() => new Date());
  const env = options.env ?? process.env;
  const workspaceRoot = options.workspaceRoot;
  const config = validConfig(options.config);
  checkTrust(config, options.trusted);
  const backendContext: MasBackendContext = { workspaceRoot, trusted: options.trusted, env };
  const backend = options.mas ?? defaultMasBackend;

  const { tasks, taskText } = await loadTasks(config, workspaceRoot);
  // `latest` is resolved once, so the run that is locked is the run that is read.
  const resumeId = options.resumeRunId === undefined ? undefined : await resolveRunId(workspaceRoot, options.resumeRunId).catch(() => options.resumeRunId as string);
  if (resumeId !== undefined) {
    // Locked before it is read: what a second resumer would read is about to change.
    const dir = resumableDir(workspaceRoot, resumeId);
    if (dir && existsSync(dir)) lockRun(dir, resumeId, 'resume', held);
  }
  let previous = resumeId !== undefined ? await previousRun(workspaceRoot, resumeId) : undefined;
  if (previous) await testPause('resume');
  const prompts = await setup(() => backend.loadPromptSet(config, backendContext));
  const promptFiles = await setup(() => snapshotPromptFiles(config, workspaceRoot));
  const identity = { configHash: configHash(config), promptHash: prompts.hash, taskFileSha256: sha256(taskText) };
  if (!previous && options.reuseMatching) {
    const split = options.split ?? 'all';
    const match = await findMatchingRun(workspaceRoot, { ...identity, taskFile: config.tasks.file, split, ...(options.limit !== undefined ? { limit: options.limit } : {}) });
    if (match && isComplete(match)) return reusedRun(match, now());
    if (match) lockRun(match.dir, match.manifest.runId, 'resume', held);
    previous = match;
  }
  if (previous) checkResumable(previous, identity, config);

  const split = splitTasks(tasks, config.tasks.split, config.tasks.seed);
  const selection: SelectedTask[] = previous ? previous.manifest.selection.tasks : selectTasks(tasks, split, options.split, options.limit);
  if (!selection.length) throw new RunSetupError(options.split ? `The ${options.split} split has no tasks; check tasks.split in truce.yaml.` : 'No tasks to run.');
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const finishedBefore = new Set((previous?.trajectories ?? []).map((t) => t.taskId));
  const pending: PendingTask[] = selection.filter((s) => !finishedBefore.has(s.id)).map((s) => ({ task: byId.get(s.id) as MasTask, split: s.split }));
  const concurrency = options.concurrency ?? config.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RunSetupError(`Concurrency must be a whole number of at least 1, got ${concurrency}.`);

  // LLM services: one disk cache for the workspace, the budget carried over from earlier invocations.
  const cacheMode = options.cacheMode ?? 'read-write';
  const limits = budgetLimits(config);
  const callsBefore: StoredCallRecord[] = previous?.calls ?? [];
  const spentBefore = callsBefore.length ? foldCalls(callsBefore).total : emptyTotals();
  const spent = { calls: spentBefore.calls, tokens: spentBefore.inputTokens + spentBefore.outputTokens, costUsd: spentBefore.costUsd };
  const taskContext = new TaskContext();
  const recorder = new CallRecorder(taskContext, callsBefore);
  const accounting = new Accounting();
  const budget = new Budget(limits, spent);
  const useGateway = gatewayWanted(config.mas) && gatewayUsable(config, env, options.secrets ?? {});
  const replayDir = options.replayRunId === undefined ? undefined : await replaySource(workspaceRoot, options.replayRunId, useGateway);
  // Calls do not wait for their cache writes (that wait sat on every call's path); each task waits
  // for its own before its trajectory is stored, so a stored trajectory's replies are always cached.
  const cacheWrites = new PendingCacheWrites();
  // Batches this run submits are written down in its folder; a resume adopts the ones left pending.
  const batchLedger = new RunBatchLedger(previous?.dir);
  const services = createLlmServices({
    ...options.llm,
    env,
    batch: { ledger: batchLedger },
    ...(cacheMode === 'off' ? {} : { cache: new DiskResponseCache(cacheDir(workspaceRoot)) }),
    cacheMode,
    budget,
    accounting,
    onCall: (record) => recorder.record(record),
    onCacheWrite: (write) => cacheWrites.track(write, taskContext.current()?.taskId ?? ''),
  });
  const endpoints = endpointConfigs(config, options.secrets ?? {}, useGateway);
  const clients = await setup(async () => createLlmClients(endpoints, services));
  const evaluator = await setup(async () => buildEvaluator(config, clients, options.trusted, workspaceRoot));
  const runner = await setup(async () => backend.createRunner(config, prompts, backendContext));

  // The probe asks llm.executor's own model; a command MAS names its models itself, so its first call is the check.
  const probe = (options.probe ?? cacheMode !== 'replay') && pending.length > 0 && endpoints.executor !== undefined && config.mas.kind !== 'command';
  const projection = projectRun(config, prompts, pending.map((p) => p.task), { probe, limits: remainingLimits(limits, spent) });
  if (options.confirmSpend && cacheMode !== 'replay') {
    const go = await options.confirmSpend({ what: 'run', projection, complete: projection.complete, limits, spent });
    if (!go) throw new RunSetupError('Not started: the projected spend was not confirmed. Nothing was spent.');
  } else if (projection.exceeds.length && cacheMode !== 'replay') throw new RunSetupError(overBudgetMessage(projection, limits, spent));
  if (probe) {
    try {
      await probeExecutor(endpoints.executor as EndpointConfig, services, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw new RunSetupError('Cancelled before the run started.');
      throw new RunSetupError(`The executor endpoint is not usable: ${(error as Error).message}`);
    }
  }
  if (options.signal?.aborted) throw new RunSetupError('Cancelled before the run started.');

  // From here on there is a run folder, and everything that happens is recorded in it.
  const invocation = (previous?.manifest.invocations ?? 0) + 1;
  const startedAt = now();
  const manifestFields = {
    status: 'running' as const,
    pid: process.pid,
    invocations: invocation,
    concurrency,
    cacheMode,
    tools: { truce: options.toolVersion ?? 'dev', node: process.version, platform: `${process.platform}-${process.arch}` },
  };
  let store: RunStore;
  if (previous) {
    const resumed = previous;
    store = await storeWrite(workspaceRoot, resumed.dir, resumed.manifest.runId, async () => {
      const reopened = await RunStore.reopen(resumed.dir, resumed.manifest, now);
      await reopened.updateManifest({ ...manifestFields, statusReason: undefined });
      return reopened;
    });
  } else {
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      runId: newRunId(startedAt),
      createdAt: startedAt.toISOString(),
      updatedAt: startedAt.toISOString(),
      ...(options.configFile !== undefined ? { configFile: options.configFile.replace(/\\/g, '/') } : {}),
      configHash: identity.configHash,
      config: config as unknown as Record<string, unknown>,
      prompts: { hash: prompts.hash, files: promptFiles },
      seed: config.tasks.seed,
      split: { spec: config.tasks.split, sizes: { train: split.train.length, val: split.val.length, test: split.test.length } },
      selection: {
        split: options.split ?? 'all',
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
        taskFile: config.tasks.file,
        taskFileSha256: identity.taskFileSha256,
        tasks: selection,
      },
      endpoints: Object.fromEntries(Object.entries(clients).map(([role, c]) => [role, { baseUrl: c.baseUrl, model: c.model }])),
      ...manifestFields,
    };
    store = await storeWrite(workspaceRoot, runsDir(workspaceRoot), undefined, () => RunStore.create(workspaceRoot, manifest, now));
    lockRun(store.dir, store.runId, 'run', held);
  }
  const runId = store.runId;
  await storeWrite(workspaceRoot, store.dir, runId, async () => {
    batchLedger.attach(store.dir);
    await recorder.attach(store);
    await store.journal({ event: 'run-started', invocation, pending: pending.length, skipped: finishedBefore.size });
  });
  options.onProgress?.({ type: 'started', runId, dir: store.dir, invocation, pending: pending.length, skipped: finishedBefore.size, total: selection.length, projection });

  // A dead endpoint stops tasks in flight too; the user's cancel does the same through its signal.
  const halt = new AbortController();
  const taskSignal = options.signal ? AbortSignal.any([options.signal, halt.signal]) : halt.signal;
  // Every call in flight listens on this signal; many at once is the point, not a leak.
  setMaxListeners(0, taskSignal);
  recorder.onInterruption = (interruption) => {
    if (interruption.status === 'failed') halt.abort(new Error(interruption.reason));
  };
  const results: Trajectory[] = [...(previous?.trajectories ?? [])];
  let storeFailure: Error | undefined;

  // The tasks in flight, for the calls reported outside their async context (gateway, spans).
  const scopes = new Map<string, TaskScope>();
  const gateway = useGateway && clients.executor ? await storeWrite(workspaceRoot, store.dir, runId, () => startRunGateway(clients.executor as LlmClient)) : undefined;
  async function startRunGateway(executor: LlmClient): Promise<RunGateway> {
    // This run's own earlier invocations answer a resume for free, as the response cache does for the rounds MAS.
    const recordings = previous ? await readRecordings(store.dir) : new Map<string, Record<string, unknown>>();
    if (replayDir) await readRecordings(replayDir, recordings);
    return RunGateway.start({
      executor,
      prices: config.llm.executor,
      budget,
      runDir: store.dir,
      recordings,
      replaying: replayDir !== undefined,
      strict: cacheMode === 'replay',
      secrets: executorSecrets(config, env, options.secrets ?? {}),
      onRecord: (record, taskId) => {
        accounting.record(record);
        recorder.record(record, taskId === undefined ? undefined : scopes.get(taskId));
      },
    });
  }
  const masExtras = (scope: TaskScope): Pick<MasRunContext, 'gateway' | 'onModelCalls'> =>
    gateway
      ? { gateway }
      : {
          // Without the gateway, the MAS's spans are the account of its spend; with it they are not
          // counted at all, so no call is counted twice.
          onModelCalls: (calls) => {
            for (const record of spanCallRecords(calls, config)) {
              accounting.record(record);
              recorder.record(record, scope);
              const over = budget.charge({ calls: 1, tokens: record.usage.inputTokens + record.usage.outputTokens, costUsd: record.costUsd });
              if (over) recorder.interrupt({ status: 'stopped-budget', reason: spanBudgetMessage(over, budget) });
            }
          },
        };

  // Tasks whose calls are done and whose records are being stored. A task gives its slot to the
  // next one as soon as its last call returned: waiting there for its cache writes and appends
  // kept a slot idle for tens of milliseconds per task, with the file-system thread pool busy.
  const storing = new Set<Promise<void>>();
  const runOne = ({ task, split: taskSplit }: PendingTask) =>
    taskContext.run(task.id, async (scope) => {
      scopes.set(task.id, scope);
      const interrupted = () => scope.interruption !== undefined || taskSignal.aborted;
      // The task's calls need not wait for this record to reach the disk (a flushed append per
      // task kept slots idle between tasks); it is awaited before anything else about the task is
      // written, and the journal keeps appends in order.
      const started = store.journal({ event: 'task-started', taskId: task.id });
      started.catch(() => undefined);
      let stored: Promise<void>;
      try {
        const trajectory = await executeTask(runId, task, taskSplit, prompts, runner, evaluator, clients, taskSignal, interrupted, masExtras(scope));
        stored = storeTask(task, taskSplit, scope, started, trajectory);
      } catch (error) {
        // executeTask turns the MAS's and the evaluator's errors into results; anything else it
        // throws is handled with the store's failures, as it always was.
        stored = storeTask(task, taskSplit, scope, started, undefined, error);
      }
      storing.add(stored);
      void stored.finally(() => {
        storing.delete(stored);
        scopes.delete(task.id);
      });
    });
  const storeTask = async (task: MasTask, taskSplit: SplitName, scope: TaskScope, started: Promise<void>, trajectory: Trajectory | undefined, thrown?: unknown): Promise<void> => {
    try {
      if (thrown !== undefined) throw thrown;
      await started;
      const cacheFailure = await settledCacheWrites(cacheWrites, task.id);
      if (cacheFailure) {
        // The task's replies are not all cached: storing its trajectory would break replay and
        // make a resume skip a task whose calls it would have to pay for again. The task is left
        // for a resume, and the run stops (the next task's writes would fail the same way).
        scope.interruption ??= cacheFailure;
        recorder.interrupt(cacheFailure);
      }
      if (!trajectory || cacheFailure) {
        const reason = scope.interruption?.reason ?? abortReason(taskSignal);
        await store.journal({ event: 'task-interrupted', taskId: task.id, reason });
        options.onProgress?.({ type: 'interrupted', taskId: task.id, reason });
        return;
      }
      await store.appendTrajectory(trajectory);
      results.push(trajectory);
      const done = results.length;
      const failure = trajectory.outcome?.details.failed === true ? String(trajectory.outcome.details.reason) : undefined;
      const outcome = trajectory.outcome as NonNullable<Trajectory['outcome']>;
      await store.journal(
        failure !== undefined
          ? { event: 'task-failed', taskId: task.id, reason: failure }
          : { event: 'task-finished', taskId: task.id, score: outcome.score, success: outcome.success },
      );
      options.onProgress?.({
        type: 'task',
        taskId: task.id,
        split: taskSplit,
        score: outcome.score,
        success: outcome.success,
        ...(failure !== undefined ? { failure } : {}),
        done,
        total: selection.length,
        usage: accounting.snapshot().total,
      });
    } catch (error) {
      // Only the store can fail here; without it nothing more can be recorded.
      storeFailure ??= new Error(describeStoreError(error, store.dir, workspaceRoot, `truce run --resume ${runId}`));
      halt.abort(storeFailure);
    }
  };

  try {
    await runPool(pending, concurrency, runOne, () => taskSignal.aborted || recorder.interruption !== undefined || storeFailure !== undefined);
    while (storing.size > 0) await Promise.all([...storing]);
  } finally {
    // A record of the gateway that could not be written fails the run like any other store write.
    await gateway?.close().catch((error: unknown) => {
      storeFailure ??= new Error(describeStoreError(error, store.dir, workspaceRoot, `truce run --resume ${runId}`));
    });
  }
  // Writes outside any task (the probe's) are waited for here, so none is lost unnoticed.
  const strayFailure = await settledCacheWrites(cacheWrites);
  if (strayFailure) recorder.interrupt(strayFailure);
  try {
    await store.flush();
  } catch (error) {
    storeFailure ??= new Error(describeStoreError(error, store.dir, workspaceRoot, `truce run --resume ${runId}`));
  }

  const remaining = selection.length - new Set(results.map((t) => t.taskId)).size;
  const stop = storeFailure
    ? { status: 'failed' as const, reason: storeFailure.message }
    : (recorder.interruption ?? (options.signal?.aborted ? { status: 'cancelled' as const, reason: 'cancelled by the user' } : undefined));
  const status: RunStatus = stop ? stop.status : remaining === 0 ? 'completed' : 'failed';
  const statusReason = stop?.reason ?? (remaining > 0 ? `${remaining} tasks were not finished` : undefined);
  // A store that failed during the run fails these writes too: the stored tasks stay, the manifest
  // still says 'running' (so the run reads as interrupted), and the message says how to go on.
  await storeWrite(workspaceRoot, store.dir, runId, async () => {
    await store.updateManifest({ status, statusReason });
    if (status === 'completed') await store.journal({ event: 'run-completed' });
    else await store.journal({ event: 'run-stopped', status, reason: statusReason ?? status });
  }, storeFailure);
  const finishedAt = now();
  const summary = summarizeRun(store.manifest, results, recorder.all, {
    number: invocation,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    elapsedMs: finishedAt.getTime() - startedAt.getTime(),
    skipped: finishedBefore.size,
    ran: results.length - finishedBefore.size,
    usage: accounting.snapshot().total,
  });
  await storeWrite(workspaceRoot, store.dir, runId, () => store.writeSummary(summary), storeFailure);
  await store.flush().catch(() => undefined);
  options.onProgress?.({ type: 'finished', status, ...(statusReason !== undefined ? { reason: statusReason } : {}) });
  return { runId, dir: store.dir, status, summary };
}

/** A completed run taken as it is: its results, with an invocation that ran and spent nothing. */
function reusedRun(run: StoredRun, at: Date): RunResult {
  const summary = summarizeRun(run.manifest, run.trajectories, run.calls, {
    number: run.manifest.invocations,
    startedAt: at.toISOString(),
    finishedAt: at.toISOString(),
    elapsedMs: 0,
    skipped: run.trajectories.length,
    ran: 0,
    usage: emptyTotals(),
  });
  return { runId: run.manifest.runId, dir: run.dir, status: run.manifest.status, summary, reused: true };
}

/**
 * One task: run the MAS, check its record, score the answer. Returns undefined when the task was
 * interrupted (cancel, budget, endpoint down) and must run again on resume.
 */
async function executeTask(
  runId: string,
  task: MasTask,
  split: SplitName,
  prompts: PromptSet,
  runner: MasRunner,
  evaluator: Evaluator,
  clients: LlmClients,
  signal: AbortSignal,
  interrupted: () => boolean,
  extras: Pick<MasRunContext, 'gateway' | 'onModelCalls'>,
): Promise<Trajectory | undefined> {
  let result;
  try {
    result = await runner.run({ runId, task, prompts, ...(clients.executor ? { executor: clients.executor } : {}), signal, ...extras });
  } catch (error) {
    if (interrupted()) return undefined;
    return failedTrajectory(runId, task, split, `The MAS stopped with an error: ${(error as Error).message}`);
  }
  if (interrupted()) return undefined;
  if ('failed' in result) return failedTrajectory(runId, task, split, result.reason, result.partial);
  const checked = checkedTrajectory(runId, task, split, result);
  if ('problems' in checked) return failedTrajectory(runId, task, split, `The MAS returned an invalid trajectory: ${checked.problems}`);
  let evaluation;
  try {
    evaluation = await evaluator.evaluate({ output: result.answer, ...(task.reference !== undefined ? { reference: task.reference } : {}), task, signal });
  } catch (error) {
    if (interrupted()) return undefined;
    return failedTrajectory(runId, task, split, `The evaluator stopped with an error: ${(error as Error).message}`, checked.trajectory);
  }
  if (interrupted()) return undefined;
  return scoredTrajectory(checked.trajectory, result.answer, evaluator.type, evaluation);
}

/**
 * Receives every call record: tags it with its task, holds it until the store exists (the probe
 * runs before), then appends it; and notices errors that must stop the run.
 */
class CallRecorder {
  readonly all: StoredCallRecord[];
  private store: RunStore | undefined;
  private readonly held: StoredCallRecord[] = [];
  interruption: TaskInterruption | undefined;
  onInterruption: ((interruption: TaskInterruption) => void) | undefined;

  constructor(
    private readonly context: TaskContext,
    before: readonly StoredCallRecord[],
  ) {
    this.all = [...before];
  }

  /** `taskScope`: the task of a call made outside the task's async context (the gateway's, the spans'). */
  record(record: LlmCallRecord, taskScope?: TaskScope): void {
    const scope = taskScope ?? this.context.current();
    const stored: StoredCallRecord = scope ? { ...record, taskId: scope.taskId } : { ...record };
    this.all.push(stored);
    if (this.store) this.store.appendCalls(stored).catch(() => undefined);
    else this.held.push(stored);
    const interruption = interruptionFor(record.error);
    if (!interruption) return;
    if (scope) scope.interruption ??= interruption;
    if (!this.interruption) {
      this.interruption = interruption;
      this.onInterruption?.(interruption);
    }
  }

  /** A run-stopping problem found outside the call records (a response-cache write that failed). */
  interrupt(interruption: TaskInterruption): void {
    if (this.interruption) return;
    this.interruption = interruption;
    this.onInterruption?.(interruption);
  }

  async attach(store: RunStore): Promise<void> {
    this.store = store;
    await store.appendCalls(...this.held.splice(0));
    // The probe's errors made setup fail; none of them should stop the run that follows.
    this.interruption = undefined;
  }
}

/** Waits for the writes of one task (or, without one, all that are left); a failure becomes the run's stop reason. */
async function settledCacheWrites(writes: PendingCacheWrites, taskId?: string): Promise<TaskInterruption | undefined> {
  try {
    if (taskId === undefined) await writes.settleAll();
    else await writes.settle(taskId);
    return undefined;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { status: 'failed', reason: `${detail}. Stopped so that no result is stored whose replies are not in the response cache; free the space or fix the permissions, then resume.` };
  }
}

function validConfig(input: unknown): TruceConfig {
  const parsed = truceConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  throw new RunSetupError('The configuration is invalid; run `truce validate` for positions and hints.', lines);
}

function checkTrust(config: TruceConfig, trusted: boolean): void {
  if (trusted) return;
  if (config.mas.kind === 'command') throw new RunSetupError('This workspace is not trusted, so its MAS command (mas.argv) is not run. Trust the folder to run it.');
  if (config.evaluator.type === 'command') throw new RunSetupError('This workspace is not trusted, so its evaluator command (evaluator.argv) is not run. Trust the folder to run it.');
}

async function loadTasks(config: TruceConfig, workspaceRoot: string): Promise<{ tasks: MasTask[]; taskText: string }> {
  const file = config.tasks.file;
  let taskText: string;
  try {
    taskText = await readFile(resolve(workspaceRoot, file), 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RunSetupError(`Cannot read the tasks file ${file}: ${missing ? 'it does not exist' : (error as Error).message}. Check tasks.file in truce.yaml.`);
  }
  const { tasks, errors } = parseTasksJsonl(taskText);
  if (errors.length) {
    throw new RunSetupError(
      `The tasks file ${file} has ${errors.length} bad line${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} before running.`,
      errors.map((e) => `${file}:${e.line}: ${e.message}`),
    );
  }
  if (!tasks.length) throw new RunSetupError(`The tasks file ${file} holds no tasks.`);
  return { tasks, taskText };
}

/**
 * A write to the run store whose failure ends the run with what is wrong and what to do (storeErrors.ts)
 * instead of the system's error. `earlier`: a store failure already seen in the run, reported
 * instead of the follow-up one (a full disk fails every later write the same way).
 */
async function storeWrite<T>(workspaceRoot: string, target: string, runId: string | undefined, write: () => Promise<T>, earlier?: Error): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof RunSetupError || error instanceof RunStoreError) throw error;
    if (earlier) throw new RunStoreError(earlier.message);
    throw new RunStoreError(describeStoreError(error, target, workspaceRoot, runId ? `truce run --resume ${runId}` : undefined));
  }
}

/** The folder of the run to resume; an id that names no run folder is left for previousRun to refuse. */
function resumableDir(workspaceRoot: string, runId: string): string | undefined {
  try {
    return runDir(workspaceRoot, runId);
  } catch (error) {
    if (error instanceof RunRefError) return undefined;
    throw error;
  }
}

async function previousRun(workspaceRoot: string, runId: string): Promise<StoredRun> {
  let run: StoredRun;
  try {
    run = await loadRun(workspaceRoot, runId);
  } catch (error) {
    if (error instanceof RunNotFoundError) throw new RunSetupError(`Cannot resume: ${error.message}`);
    throw error;
  }
  if (run.state === 'running') {
    throw new RunSetupError(`Run ${run.manifest.runId} is still running (process ${run.manifest.pid}); stop it before resuming.`);
  }
  return run;
}

function checkResumable(previous: StoredRun, identity: { configHash: string; promptHash: string; taskFileSha256: string }, config: TruceConfig): void {
  const m = previous.manifest;
  const id = m.runId;
  if (m.configHash !== identity.configHash) {
    throw new RunSetupError(`Cannot resume run ${id}: truce.yaml (or an environment override of the executor) changed since it started, beyond budget and concurrency. Start a new run instead.`);
  }
  if (m.prompts.hash !== identity.promptHash) {
    throw new RunSetupError(`Cannot resume run ${id}: the prompts changed since it started, so its results would mix two prompt sets. Start a new run instead.`);
  }
  if (m.selection.taskFileSha256 !== identity.taskFileSha256 || m.selection.taskFile !== config.tasks.file) {
    throw new RunSetupError(`Cannot resume run ${id}: the tasks file ${config.tasks.file} changed since it started. Start a new run instead.`);
  }
}

/** Setup failures of other modules become one RunSetupError carrying their (actionable) message. */
async function setup<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof RunSetupError) throw error;
    if (error instanceof MasSetupError || isLlmError(error) || (error as Error).name === 'EvaluatorConfigError') {
      throw new RunSetupError((error as Error).message);
    }
    throw error;
  }
}

function endpointConfigs(config: TruceConfig, secrets: Partial<Record<EndpointRole, string>>, gateway: boolean): Partial<Record<EndpointRole, EndpointConfig>> {
  const withKey = (endpoint: EndpointConfig, role: EndpointRole): EndpointConfig => {
    const key = secrets[role];
    return key ? { ...endpoint, apiKey: key } : endpoint;
  };
  const out: Partial<Record<EndpointRole, EndpointConfig>> = {};
  // A command MAS talks to its own endpoints; a client (and key) for the executor is only needed by ours.
  if (config.mas.kind === 'rounds' || gateway) out.executor = withKey(config.llm.executor, 'executor');
  // The judge falls back to the executor's endpoint when none is configured.
  if (config.evaluator.type === 'llm-judge') {
    out.judge = config.llm.judge ? withKey(config.llm.judge, 'judge') : withKey(config.llm.executor, 'executor');
  }
  return out;
}

function buildEvaluator(config: TruceConfig, clients: LlmClients, trusted: boolean, workspaceRoot: string): Evaluator {
  const caller = clients.judge ? createJudgeCaller(clients.judge) : undefined;
  return createEvaluator(config.evaluator, { workspaceTrusted: trusted, cwd: workspaceRoot, ...(caller ? { caller } : {}) });
}

function remainingLimits(limits: BudgetLimits, spent: { calls: number; tokens: number; costUsd: number }): BudgetLimits {
  const out: BudgetLimits = {};
  if (limits.maxCalls !== undefined) out.maxCalls = limits.maxCalls - spent.calls;
  if (limits.maxTokens !== undefined) out.maxTokens = limits.maxTokens - spent.tokens;
  if (limits.maxCostUsd !== undefined) out.maxCostUsd = limits.maxCostUsd - spent.costUsd;
  return out;
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return 'cancelled';
}

/** The folder of the run `--replay RUN` names, which must hold gateway recordings. */
async function replaySource(workspaceRoot: string, ref: string, gateway: boolean): Promise<string> {
  if (!gateway) {
    throw new RunSetupError('--replay RUN replays what the gateway recorded for a command MAS (mas.kind command, mas.gateway on). The rounds MAS replays from the response cache: use --replay without a run.');
  }
  let id: string;
  try {
    id = await resolveRunId(workspaceRoot, ref);
  } catch (error) {
    throw new RunSetupError(`Cannot replay run ${ref}: ${(error as Error).message}`);
  }
  const dir = resumableDir(workspaceRoot, id);
  if (!dir || !existsSync(dir)) throw new RunSetupError(`Cannot replay run ${ref}: no such run under .truce/runs.`);
  if (!existsSync(resolve(dir, RUN_FILES.gatewayCalls))) throw new RunSetupError(`Run ${id} has no gateway recordings (${RUN_FILES.gatewayCalls}): its MAS did not run behind the gateway, so there is nothing to replay.`);
  return dir;
}

/** The executor key's values as TRUCE holds them, which must never reach the MAS. */
export function executorSecrets(config: TruceConfig, env: Readonly<Record<string, string | undefined>>, secrets: Partial<Record<EndpointRole, string>>): string[] {
  const executor = config.llm.executor;
  const names = [executor.apiKeyEnv ?? (executor.azureApiVersion !== undefined ? 'AZURE_OPENAI_API_KEY' : 'OPENAI_API_KEY')];
  const values = [secrets.executor, ...names.map((n) => env[n]?.trim())];
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

function spanBudgetMessage(dimension: 'calls' | 'tokens' | 'costUsd', budget: Budget): string {
  const setting = { calls: 'maxCalls', tokens: 'maxTokens', costUsd: 'maxCost' }[dimension];
  const spent = budget.snapshot().spent;
  const figure = dimension === 'calls' ? `${spent.calls} calls` : dimension === 'tokens' ? `${spent.tokens} tokens` : `$${spent.costUsd.toFixed(4)}`;
  return `The MAS's spans report ${figure}, past budget.${setting} in truce.yaml; the run stopped after the tasks in flight. Raise the budget and resume the run.`;
}

/**
 * The gateway forwards with the executor's key. Left to its default, it is on only when that key
 * is at hand (or the endpoint is local); asked for outright, a missing key is the setup error
 * creating the executor's client reports.
 */
function gatewayUsable(config: TruceConfig, env: Readonly<Record<string, string | undefined>>, secrets: Partial<Record<EndpointRole, string>>): boolean {
  if (config.mas.kind === 'command' && config.mas.gateway === true) return true;
  try {
    resolveEndpoint(secrets.executor ? { ...config.llm.executor, apiKey: secrets.executor } : config.llm.executor, env);
    return true;
  } catch (error) {
    if (error instanceof MissingApiKeyError) return false;
    throw error;
  }
}
