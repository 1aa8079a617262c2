/**
 * Intervention (issue 22): blame checked by re-running. For a failed task of a stored run and its
 * blamed step — credit's pick, or a step the user names — the optimizer model writes the reply the
 * step's agent should have given ("what should this agent have said here?", prompts/correction.ts);
 * then the MAS runs the task again, K times, with the calls before the blamed one replayed, the
 * blamed one answered with the correction and the calls after it sent to the endpoint — a command
 * MAS behind an intervention gateway (gatewaySubject.ts), the built-in rounds MAS through its own
 * runner (roundsSubject.ts). Each re-run is scored by the run's evaluator; the share that
 * now succeed is the blame's evidence, written to interventions.jsonl beside the run's credit.
 *
 * Setup refuses everything that would make the evidence meaningless (a task that did not fail, a
 * step without a recorded call, prompts that changed since the run) before anything is spent, and
 * the projected spend is shown and confirmed like a run's.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { truceConfigSchema, type TruceConfig } from '../config';
import { createEvaluator } from '../eval';
import {
  Accounting,
  Budget,
  callStructured,
  createLlmClients,
  createLlmServices,
  DiskResponseCache,
  isLlmError,
  projectCost,
  type EndpointConfig,
  type EndpointRole,
  type LlmClient,
  type LlmServicesOptions,
  type PlannedCalls,
  type UsageTotals,
} from '../llm';
import type { CreditReport } from '../credit/types';
import type { MasTask } from '../mas/types';
import { readCreditReport } from '../credit/creditFiles';
import { budgetLimits, createJudgeCaller, defaultMasBackend, type MasBackend } from '../run';
import { executorSecrets } from '../run/runMas';
import type { ConfirmSpend } from '../run/spendPlan';
import { cacheDir, loadRun, lockRunDir, resolveRunId, RunBusyError, runDir } from '../store';
import { parseTasksJsonl } from '../tasks';
import { gatewaySubject } from './gatewaySubject';
import type { ExecutionTally } from './interventionGateway';
import { appendIntervention, INTERVENTION_FORMAT, type InterventionRecord, type InterventionRepeat, type InterventionSpend } from './interventionStore';
import type { InterventionSubject, ReRunDriver } from './interventionSubject';
import { InterventionError, InterventionOverBudgetError, type TargetStep } from './interventionTarget';
import { roundsSubject } from './roundsSubject';
import { buildCorrectionMessages, CORRECTION_SCHEMA_NAME, CORRECTION_TEMPLATE_VERSION, correctionReplySchema } from './prompts/correction';

/** Re-runs per intervention when none is asked for: enough to see a flip that is not luck, few enough to be cheap. */
export const DEFAULT_REPEATS = 3;
export const MAX_REPEATS = 20;

export type InterventionProgress =
  | { type: 'target'; taskId: string; stepId: string; agentId: string; callId: string; source: 'credit' | 'user'; reason?: string }
  | { type: 'correction'; original: string; correction: string }
  | { type: 'repeat'; repeat: InterventionRepeat; of: number };

export interface InterveneOptions {
  /** A parsed truce.yaml (validated again here). */
  config: unknown;
  workspaceRoot: string;
  runId: string;
  taskId: string;
  /** The step to correct; default: the step credit blamed for the task. */
  step?: string;
  repeats?: number;
  env: Readonly<Record<string, string | undefined>>;
  secrets?: Partial<Record<EndpointRole, string>>;
  trusted: boolean;
  signal?: AbortSignal;
  /** Asked with the projection before anything is spent; without it a plan over a cap is refused. */
  confirmSpend?: ConfirmSpend;
  llm?: Pick<LlmServicesOptions, 'clock' | 'random' | 'retry' | 'fetch' | 'onRetry'>;
  mas?: MasBackend;
  onProgress?: (event: InterventionProgress) => void;
  now?: () => Date;
  /** Credit of the run given in memory (the optimizer's round credit) instead of the run's credit file. */
  credit?: CreditReport;
  /**
   * The intervention's id, when the caller needs one that is the same on every try (the optimizer:
   * a resumed round then finds its re-runs in the response cache instead of paying for them again).
   */
  id?: string;
}

export interface InterventionResult {
  runId: string;
  dir: string;
  record: InterventionRecord;
}

export async function intervene(options: InterveneOptions): Promise<InterventionResult> {
  const parsed = truceConfigSchema.safeParse(options.config);
  if (!parsed.success) throw new InterventionError('The configuration is invalid; run `truce validate` for positions and hints.');
  const config = parsed.data;
  const repeats = options.repeats ?? DEFAULT_REPEATS;
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > MAX_REPEATS) throw new InterventionError(`Repeats must be a whole number from 1 to ${MAX_REPEATS}, got ${repeats}.`);
  if (config.mas.kind === 'command' && !options.trusted) throw new InterventionError('This workspace is not trusted, so its MAS command (mas.argv) is not run. Trust the folder to intervene.');
  let id: string;
  try {
    id = await resolveRunId(options.workspaceRoot, options.runId);
  } catch (error) {
    throw new InterventionError((error as Error).message);
  }
  const dir = runDir(options.workspaceRoot, id);
  let lock;
  try {
    lock = lockRunDir(dir, id, 'intervene');
  } catch (error) {
    if (error instanceof RunBusyError) throw new InterventionError(error.message);
    throw error;
  }
  try {
    return await interveneLocked(options, config, id, repeats);
  } finally {
    lock.release();
  }
}

/** The endpoints of an intervention, under its own budget and accounting. */
interface Endpoints {
  limits: ReturnType<typeof budgetLimits>;
  budget: Budget;
  accounting: Accounting;
  clients: ReturnType<typeof createLlmClients>;
  configs: Partial<Record<EndpointRole, EndpointConfig>>;
}

async function interveneLocked(options: InterveneOptions, config: TruceConfig, runId: string, repeats: number): Promise<InterventionResult> {
  const now = options.now ?? (() => new Date());
  const run = await loadRun(options.workspaceRoot, runId);
  const credit = options.credit ?? (await readCreditReport(run.dir));
  const query = { taskId: options.taskId, ...(options.step !== undefined ? { step: options.step } : {}) };
  const subject = config.mas.kind === 'rounds' ? roundsSubject(run, credit, query) : await gatewaySubject(run, credit, query);
  const { target } = subject;
  const backend = options.mas ?? defaultMasBackend;
  const backendContext = { workspaceRoot: options.workspaceRoot, trusted: options.trusted, env: options.env };
  const prompts = await backend.loadPromptSet(config, backendContext);
  if (prompts.hash !== run.manifest.prompts.hash) {
    throw new InterventionError(`The prompt files changed since run ${runId}: its recorded calls would not match the MAS's requests, so the calls before the blamed step could not be replayed. Restore the prompts the run used (e.g. git stash), or intervene on a new run.`);
  }
  const task = await loadTask(config, options.workspaceRoot, target);
  options.onProgress?.({ type: 'target', taskId: task.id, stepId: target.step.id, agentId: target.step.agentId, callId: subject.callId, source: target.source, ...(target.reason ? { reason: target.reason } : {}) });

  const endpoints = openEndpoints(options, config);
  const correctionMessages = buildCorrectionMessages({
    task: task.input,
    agentId: target.step.agentId,
    messages: subject.messages,
    original: subject.original.text,
    ...(subject.original.toolName ? { toolName: subject.original.toolName } : {}),
    ...(target.reason ? { reason: target.reason } : {}),
  });
  await confirmProjection(options, config, endpoints, interventionPlan(subject, repeats, correctionMessages, config));
  const correction = await writeCorrection(endpoints.clients.optimizer as LlmClient, correctionMessages, options.signal);
  options.onProgress?.({ type: 'correction', original: subject.original.text, correction });

  const interventionId = options.id ?? `${now().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  const judge = endpoints.clients.judge ? createJudgeCaller(endpoints.clients.judge) : undefined;
  const evaluator = createEvaluator(config.evaluator, { workspaceTrusted: options.trusted, cwd: options.workspaceRoot, ...(judge ? { caller: judge } : {}) });
  const runner = backend.createRunner(config, prompts, backendContext);
  const driver = await subject.start({
    correction,
    interventionId,
    executor: endpoints.clients.executor as LlmClient,
    prices: config.llm.executor,
    budget: endpoints.budget,
    runDir: run.dir,
    secrets: executorSecrets(config, options.env, options.secrets ?? {}),
  });
  const reRuns = { task, runId, prompts, runner, evaluator, driver, signal: options.signal };
  const { done, stopped, driverSpend } = await repeatReRuns(reRuns, repeats, endpoints.accounting, options.onProgress);
  const counted = done.filter((r) => r.reached && r.success !== undefined);
  const record: InterventionRecord = {
    format: INTERVENTION_FORMAT,
    id: interventionId,
    at: now().toISOString(),
    taskId: task.id,
    stepId: target.step.id,
    agentId: target.step.agentId,
    callId: subject.callId,
    source: target.source,
    ...(target.reason ? { reason: target.reason } : {}),
    original: subject.original.text,
    correction,
    baseline: { success: false, score: target.trajectory.outcome?.score ?? 0 },
    repeats: done,
    runs: counted.length,
    flips: counted.filter((r) => r.success).length,
    spend: addSpend(driverSpend, paid(endpoints.accounting.snapshot().total)),
    ...(stopped ? { stopped } : {}),
  };
  await appendIntervention(run.dir, record);
  return { runId, dir: run.dir, record };
}

function openEndpoints(options: InterveneOptions, config: TruceConfig): Endpoints {
  const limits = budgetLimits(config);
  const budget = new Budget(limits);
  const accounting = new Accounting();
  const services = createLlmServices({ ...options.llm, env: options.env, cache: new DiskResponseCache(cacheDir(options.workspaceRoot)), cacheMode: 'read-write', budget, accounting });
  const withKey = (endpoint: EndpointConfig, role: EndpointRole): EndpointConfig => (options.secrets?.[role] ? { ...endpoint, apiKey: options.secrets[role] } : endpoint);
  const configs: Partial<Record<EndpointRole, EndpointConfig>> = {
    executor: withKey(config.llm.executor, 'executor'),
    optimizer: config.llm.optimizer ? withKey(config.llm.optimizer, 'optimizer') : withKey(config.llm.executor, 'executor'),
  };
  if (config.evaluator.type === 'llm-judge') configs.judge = config.llm.judge ? withKey(config.llm.judge, 'judge') : withKey(config.llm.executor, 'executor');
  try {
    return { limits, budget, accounting, clients: createLlmClients(configs, services), configs };
  } catch (error) {
    if (isLlmError(error)) throw new InterventionError(error.message);
    throw error;
  }
}

/** The projected spend shown and confirmed (or, unasked, held against the budget) before anything is spent. */
async function confirmProjection(options: InterveneOptions, config: TruceConfig, endpoints: Endpoints, plan: PlannedCalls[]): Promise<void> {
  const { limits } = endpoints;
  const projection = projectCost(plan, { executor: config.llm.executor, optimizer: config.llm.optimizer ?? config.llm.executor, ...(endpoints.configs.judge ? { judge: config.llm.judge ?? config.llm.executor } : {}) }, limits);
  if (options.confirmSpend) {
    const go = await options.confirmSpend({ what: 'intervention', projection, complete: true, limits, spent: { calls: 0, tokens: 0, costUsd: 0 } });
    if (!go) throw new InterventionError('Not started: the projected spend was not confirmed. Nothing was spent.');
  } else if (projection.exceeds.length) {
    throw new InterventionOverBudgetError(`The intervention's projected spend (${projection.calls} calls, ~$${projection.costUsd.toFixed(4)}) exceeds the budget of truce.yaml; raise it or pass fewer repeats.`, projection.calls);
  }
}

interface ReRuns {
  task: MasTask;
  runId: string;
  prompts: Awaited<ReturnType<MasBackend['loadPromptSet']>>;
  runner: ReturnType<MasBackend['createRunner']>;
  evaluator: ReturnType<typeof createEvaluator>;
  driver: ReRunDriver;
  signal: AbortSignal | undefined;
}

/** The K re-runs, one after another, until done, cancelled or stopped by the budget. */
async function repeatReRuns(reRuns: ReRuns, repeats: number, accounting: Accounting, onProgress: InterveneOptions['onProgress']): Promise<{ done: InterventionRepeat[]; stopped?: string; driverSpend: InterventionSpend }> {
  const done: InterventionRepeat[] = [];
  /** What the driver's calls cost (a gateway's live calls); the correction, judge and client calls are in `accounting`. */
  let driverSpend = zeroSpend();
  let stopped: string | undefined;
  try {
    for (let index = 0; index < repeats; index++) {
      if (reRuns.signal?.aborted) {
        stopped = 'cancelled';
        break;
      }
      const before = paid(accounting.snapshot().total);
      const repeat = await reRun(index, reRuns);
      driverSpend = addSpend(driverSpend, repeat.spend);
      // The calls the accounting saw during this re-run (a judge's, a rounds MAS's live calls) belong to its spend too.
      repeat.spend = addSpend(repeat.spend, minus(paid(accounting.snapshot().total), before));
      done.push(repeat);
      onProgress?.({ type: 'repeat', repeat, of: repeats });
      const tally = reRuns.driver.tally();
      if (tally.budgetStop) {
        stopped = `budget: ${tally.budgetStop}`;
        break;
      }
    }
  } finally {
    await reRuns.driver.close();
  }
  return { done, driverSpend, ...(stopped ? { stopped } : {}) };
}

/** The correction call; an unusable reply stops the intervention before any re-run. */
async function writeCorrection(optimizer: LlmClient, messages: ReturnType<typeof buildCorrectionMessages>, signal: AbortSignal | undefined): Promise<string> {
  let result;
  try {
    result = await callStructured(optimizer, { messages, schema: correctionReplySchema, schemaName: CORRECTION_SCHEMA_NAME, templateVersion: CORRECTION_TEMPLATE_VERSION }, { phase: 'correction', ...(signal ? { signal } : {}) });
  } catch (error) {
    if (isLlmError(error)) throw new InterventionError(`The optimizer endpoint could not write the correction: ${error.message}`);
    throw error;
  }
  if (!result.ok) throw new InterventionError(`The optimizer's correction could not be used (${result.error.message}); nothing was re-run.`);
  return result.value.reply;
}

async function reRun(index: number, { task, runId, prompts, runner, evaluator, driver, signal }: ReRuns): Promise<InterventionRepeat> {
  const base = (tally: ExecutionTally) => ({ index, reached: tally.reached, replayed: tally.replayed, live: tally.live, missed: tally.missed, spend: { ...tally.spend } });
  let result;
  try {
    result = await runner.run({ runId, task, prompts, ...driver.open(index), ...(signal ? { signal } : {}) });
  } catch (error) {
    driver.observe?.(undefined);
    return { ...base(driver.tally()), failure: `the MAS stopped with an error: ${(error as Error).message}` };
  }
  driver.observe?.(result);
  const tally = driver.tally();
  if ('failed' in result) return { ...base(tally), failure: result.reason };
  try {
    const evaluation = await evaluator.evaluate({ output: result.answer, ...(task.reference !== undefined ? { reference: task.reference } : {}), task, ...(signal ? { signal } : {}) });
    return { ...base(tally), success: evaluation.success, score: evaluation.score, answer: result.answer.slice(0, 2_000) };
  } catch (error) {
    return { ...base(tally), answer: result.answer.slice(0, 2_000), failure: `the evaluator stopped with an error: ${(error as Error).message}` };
  }
}

/** The task as the tasks file holds it now (every field the MAS may read), else as the trajectory recorded it. */
async function loadTask(config: TruceConfig, workspaceRoot: string, target: TargetStep): Promise<MasTask> {
  const taskId = target.trajectory.taskId;
  try {
    const { tasks } = parseTasksJsonl(await readFile(resolve(workspaceRoot, config.tasks.file), 'utf8'));
    const found = tasks.find((t) => t.id === taskId);
    if (found) return found;
  } catch {
    // The tasks file is gone or unreadable: the trajectory's copy of the task is used below.
  }
  const recorded = target.trajectory.task;
  if (!recorded) throw new InterventionError(`Task ${taskId} is neither in ${config.tasks.file} nor recorded in the run's trajectory; the MAS cannot be given it again.`);
  return { id: taskId, input: recorded.input, ...(recorded.reference !== undefined ? { reference: recorded.reference } : {}) };
}

/** What the intervention is projected to call: one correction, and per repeat the recorded calls after the blamed one (and a judge). */
function interventionPlan(subject: InterventionSubject, repeats: number, correction: ReturnType<typeof buildCorrectionMessages>, config: TruceConfig): PlannedCalls[] {
  const after = subject.after;
  const avg = (f: (c: (typeof after)[number]) => number) => (after.length ? Math.ceil(after.reduce((s, c) => s + f(c), 0) / after.length) : 0);
  const plan: PlannedCalls[] = [
    { role: 'optimizer', phase: 'correction', calls: 1, promptChars: correction.reduce((n, m) => n + m.content.length, 0), replyTokens: Math.max(64, Math.ceil(subject.original.text.length / 4) * 2) },
    { role: 'executor', phase: 'intervention', calls: after.length * repeats, promptTokens: avg((c) => c.prompt), replyTokens: avg((c) => c.completion) },
  ];
  // A judge's prompt holds the task, the reference and the answer; its verdict is short.
  if (config.evaluator.type === 'llm-judge') plan.push({ role: 'judge', phase: 'judge', calls: repeats, promptChars: 4_000, replyTokens: 300 });
  return plan;
}

function zeroSpend(): InterventionSpend {
  return { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

function addSpend(a: InterventionSpend, b: InterventionSpend): InterventionSpend {
  return { calls: a.calls + b.calls, inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, costUsd: a.costUsd + b.costUsd };
}

/** What the accounting's calls were charged (calls answered from the cache cost nothing and are not counted). */
function paid(totals: UsageTotals): InterventionSpend {
  return { calls: totals.calls, inputTokens: totals.inputTokens, outputTokens: totals.outputTokens, costUsd: totals.costUsd };
}

function minus(a: InterventionSpend, b: InterventionSpend): InterventionSpend {
  return { calls: a.calls - b.calls, inputTokens: a.inputTokens - b.inputTokens, outputTokens: a.outputTokens - b.outputTokens, costUsd: Math.max(0, a.costUsd - b.costUsd) };
}
