/**
 * The optimizer loop (TRUCE Algorithm 1), shared by every credit method:
 *
 *   for round k = 1..K:
 *     sample a batch of train tasks (seeded: seed, "batch", k)
 *     roll out the current best prompt set on the batch, scored by the evaluator
 *     credit  = method.credit(trajectories);  raw = method.suggest(credit, trajectories)
 *     pool raw suggestions across tasks (support, near-duplicate merge, top-k)
 *       (no-units ablation: instead of suggest + pooling, one global rewrite per implicated
 *        agent, globalRewrite.ts; each agent's rewrite is one indivisible candidate item)
 *     apply the retained edits to a copy of the best set, in memory (stale ones are skipped)
 *     score candidate and best on the same val tasks (best's scores are reused, not re-run)
 *     accept the candidate only when the gate says so: the paired, sequential e-process by
 *       default (pairedGate.ts, sequentialValidation.ts), or the Hoeffding margin (accept.ts)
 *     prune accepted edits that do not pay (sequential too under the paired gate)
 *   evaluate the initial and the best set on the test split
 *
 * The best set so far is never lost: it only changes on acceptance, and it is written to
 * prompts.json after every round. Prompt files on disk are never touched (that is `truce apply`).
 * Every LLM call goes through the response cache, and round records are written when a round
 * ends, so a resumed run skips finished rounds and replays an unfinished one from the cache without
 * paying for a call twice. The round record is the commit point: files a round writes before it
 * are rolled back to the last record on resume (resumePoint.ts), rollout runs already stored are
 * reused (rollout.ts), and the budget starts from what earlier invocations spent (spentSoFar.ts).
 * The loop continues after a rejected candidate (a new batch can surface other edits) — unlike
 * the paper's stylised procedure, which stops — so the K rounds are a cap.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { truceConfigSchema, type TruceConfig } from '../config';
import {
  Accounting,
  Budget,
  BudgetExceededError,
  emptyTotals,
  type CostProjection,
  type EndpointRole,
  type LlmClient,
  type LlmServicesOptions,
  type UsageTotals,
} from '../llm';
import { loadPromptSet, type MasTask } from '../mas';
import { budgetLimits, configHash, RunSetupError } from '../run';
import type { ConfirmSpend } from '../run/spendPlan';
import { RunBatchLedger } from '../llm/batch/batchLedger';
import { JsonlAppender, newRunId, writeJsonAtomic } from '../store';
import { parseTasksJsonl, splitTasks } from '../tasks';
import type { Trajectory } from '../trajectory/schema';
import { comparisonDelta, decideAcceptance, DEFAULT_DELTA, pairedDecision, type AcceptanceDecision, type GateName } from './accept';
import { compareSequentially, pruneSequentially, type PruneVerdict } from './sequentialValidation';
import { observeSpend, projectOptimize } from './optimizeProjection';
import { clusterSuggestions, joinClusters, poolClusters } from './aggregate';
import { buildAgentUnits, type PromptTexts } from '../credit/agentUnits';
import { applySuggestions, type ApplyResult } from './applySuggestions';
import { charge, exhausted, remainingLimits } from './budgetShare';
import { candidateItems, pruneOrder } from './candidateItems';
import { globalRewrite } from './globalRewrite';
import { llmMergeGroups, llmRewriter } from './llmSteps';
import { createOptimizerClients } from './optimizerClient';
import { resolveMethod, type MethodRegistry } from '../credit/resolveMethod';
import { committedBest, committedMethodState, committedScores, committedSuggestions, ResumeError, trimCredit } from './resumePoint';
import { spentSoFar } from './spentSoFar';
import {
  OPTIMIZE_FILES,
  OPTIMIZE_FORMAT,
  optimizeDir,
  readOptimizeManifest,
  readPrompts,
  readRoundRecords,
  readSuggestions,
  writeCredit,
  writePrompts,
  writeSuggestions,
  type OptimizeManifest,
} from './optimizeStore';
import { derivedRandom, sampleBatch } from './random';
import { rollout, type RolloutResult } from './rollout';
import { PREVIOUS_SCORE_ATTR, type EditHistoryEntry, type MethodContext, type MethodName, type Suggestion } from '../credit/types';

export interface OptimizeOptions {
  /** A parsed truce.yaml (validated again here). */
  config: unknown;
  workspaceRoot: string;
  method?: MethodName;
  rounds?: number;
  topK?: number;
  batchSize?: number;
  noCredit?: boolean;
  noUnits?: boolean;
  /** Overall probability of accepting a candidate that is not better (default 0.1). */
  delta?: number;
  /** The acceptance gate (default: `optimizer.gate` of truce.yaml, itself `paired` by default). */
  gate?: GateName;
  /** Ask the optimizer LLM to merge near-duplicates the lexical pass missed (off by default). */
  llmMerge?: boolean;
  resumeRunId?: string;
  signal?: AbortSignal;
  onProgress?: (event: OptimizeProgress) => void;
  env?: Readonly<Record<string, string | undefined>>;
  trusted: boolean;
  secrets?: Partial<Record<EndpointRole, string>>;
  /** The credit methods by name (src/core/methods.ts `methodRegistry()`); the loop knows no method itself. */
  methods: MethodRegistry;
  llm?: Pick<LlmServicesOptions, 'clock' | 'random' | 'retry' | 'fetch' | 'onRetry'>;
  toolVersion?: string;
  now?: () => Date;
  /**
   * The go/no-go question (run/spendPlan.ts), asked with the projection of the whole run before
   * anything is spent and before a new run's folder exists. A run started over a cap stops cleanly
   * when the cap is reached ('stopped-budget') and resumes with a larger one.
   */
  confirmSpend?: ConfirmSpend;
}

export type OptimizeStatus = 'completed' | 'stopped-budget' | 'cancelled' | 'failed';

export interface RoundRecord {
  round: number;
  batch: string[];
  rolloutRunId: string;
  /** Mean score of the best set on the batch. */
  trainScore: number;
  notes: string[];
  suggestions: { retained: string[]; rejected: Array<{ id: string; reason: string }> };
  applied: ApplyResult[];
  candidateHash?: string;
  valRunIds: string[];
  decision?: AcceptanceDecision;
  accepted: boolean;
  bestHash: string;
  /**
   * The best set's texts when this round changed it. prompts.json is written before the record,
   * so a resume takes the best set from the records (resumePoint.ts), never from a round that
   * did not finish.
   */
  bestTexts?: PromptTexts;
  /** What the credit method carries to the next round (`details.state`: BCD's EMA and phase). */
  methodState?: unknown;
  /** Lines of credit.jsonl once this round's signals were appended (resume cuts the rest). */
  creditLines?: number;
  /**
   * The pruning tests of an accepted candidate (paired gate), in the order they ran: the item tried
   * away, whether it was dropped, and the evidence.
   */
  pruning?: PruneRecord[];
  /** Val scores of the best set after the round, by task. */
  bestVal: Record<string, number>;
  usage: Record<string, UsageTotals>;
}

export interface PruneRecord {
  /** The item's suggestion ids (one, or a global rewrite's edits). */
  suggestions: string[];
  dropped: boolean;
  /** Validation tasks the test ran on. */
  n: number;
  /** α of the test against the previous best (the round's, as the gate's: fixed-sequence testing). */
  alpha: number;
  verdict: Omit<PruneVerdict, 'drop'>;
  reason: string;
}

export type OptimizeProgress =
  | { type: 'started'; runId: string; dir: string; rounds: number; resumedAfter: number; batch: number; perRound: CostProjection; total: CostProjection }
  | { type: 'stage'; round: number; stage: 'rollout' | 'credit' | 'suggest' | 'aggregate' | 'apply' | 'validate' | 'prune' | 'test' }
  | { type: 'round'; record: RoundRecord }
  | { type: 'note'; message: string }
  | { type: 'finished'; status: OptimizeStatus; reason?: string };

export interface SuggestionOutcome {
  id: string;
  round: number;
  op: string;
  agentId: string;
  file: string;
  newText?: string;
  support: number;
  status: Suggestion['status'];
  reason?: string;
  /** The global rewrite this edit belongs to (no-units ablation). */
  group?: string;
}

export interface OptimizeResult {
  runId: string;
  dir: string;
  status: OptimizeStatus;
  reason?: string;
  method: MethodName;
  rounds: RoundRecord[];
  accepted: SuggestionOutcome[];
  rejected: SuggestionOutcome[];
  /**
   * Mean val scores. The Hoeffding gate runs both sets on the whole split; the paired gate runs
   * each set only on the tasks its decisions needed, so both means are over the tasks both sets
   * were run on (`tasks` of them; the test split gives the held-out figure).
   */
  val: { before: number | null; after: number | null; tasks?: number };
  test: { before: number | null; after: number | null };
  bestChanged: boolean;
  usage: { byPhase: Record<string, UsageTotals>; total: UsageTotals };
}

export class OptimizeSetupError extends Error {}

const mean = (m: ReadonlyMap<string, number>) => (m.size ? [...m.values()].reduce((a, b) => a + b, 0) / m.size : null);

function addUsage(into: Record<string, UsageTotals>, phase: string, u: UsageTotals): void {
  const t = (into[phase] ??= emptyTotals());
  for (const k of Object.keys(t) as Array<keyof UsageTotals>) t[k] += u[k];
}

function diffUsage(after: Record<string, UsageTotals>, before: Record<string, UsageTotals>): Record<string, UsageTotals> {
  const out: Record<string, UsageTotals> = {};
  for (const [phase, a] of Object.entries(after)) {
    const b = before[phase] ?? emptyTotals();
    const d = emptyTotals();
    for (const k of Object.keys(d) as Array<keyof UsageTotals>) d[k] = a[k] - b[k];
    if (Object.values(d).some((x) => x !== 0)) out[phase] = d;
  }
  return out;
}

function copyUsage(u: Record<string, UsageTotals>): Record<string, UsageTotals> {
  return Object.fromEntries(Object.entries(u).map(([k, v]) => [k, { ...v }]));
}

function validConfig(input: unknown): TruceConfig {
  const parsed = truceConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new OptimizeSetupError(`The configuration is invalid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); run \`truce validate\`.`);
}

export { projectOptimize } from './optimizeProjection';

export async function optimize(options: OptimizeOptions): Promise<OptimizeResult> {
  const now = options.now ?? (() => new Date());
  const env = options.env ?? process.env;
  const config = validConfig(options.config);
  const workspaceRoot = options.workspaceRoot;
  const methodName: MethodName = options.method ?? config.optimizer.method;
  const registry = options.methods;
  let method = resolveMethod(methodName, registry);
  const rounds = options.rounds ?? config.optimizer.rounds;
  const topK = options.topK ?? config.optimizer.topK;
  const batchSize = options.batchSize ?? config.optimizer.batchSize;
  const ablations = { noCredit: options.noCredit ?? false, noUnits: options.noUnits ?? false };
  for (const [name, flag] of [['noCredit', '--no-credit'], ['noUnits', '--no-units']] as const) {
    const why = method.refusedAblations?.[name];
    if (ablations[name] && why) throw new OptimizeSetupError(`${flag} does not apply to the ${methodName} method: ${why}`);
  }
  const delta = options.delta ?? config.optimizer.delta ?? DEFAULT_DELTA;
  const gate = options.gate ?? config.optimizer.gate;
  const seed = config.tasks.seed;

  // Tasks and their split, as `truce run` sees them.
  let taskText: string;
  try {
    taskText = await readFile(resolve(workspaceRoot, config.tasks.file), 'utf8');
  } catch (error) {
    throw new OptimizeSetupError(`Cannot read the tasks file ${config.tasks.file}: ${(error as Error).message}.`);
  }
  const parsedTasks = parseTasksJsonl(taskText);
  if (parsedTasks.errors.length) throw new OptimizeSetupError(`The tasks file ${config.tasks.file} has errors; run \`truce validate\`.`);
  const split = splitTasks(parsedTasks.tasks, config.tasks.split, config.tasks.seed);
  if (!split.train.length) throw new OptimizeSetupError('The train split is empty; optimize needs train tasks (tasks.split in truce.yaml).');
  if (!split.val.length) throw new OptimizeSetupError('The val split is empty; every candidate is accepted or rejected on val tasks (tasks.split in truce.yaml).');

  // The run folder: new, or the one being resumed.
  let dir: string;
  let manifest: OptimizeManifest;
  let initialTexts: Record<string, string>;
  let bestTexts: Record<string, string>;
  let records: RoundRecord[] = [];
  let allSuggestions: Array<Suggestion & { round: number }> = [];
  const hash = configHash(config);
  const readerOf = (texts: PromptTexts) => (file: string) => {
    const t = texts[file];
    if (t === undefined) throw new Error(`no text for ${file}`);
    return t;
  };
  const setHash = async (texts: PromptTexts) => (await loadPromptSet(config, readerOf(texts))).hash;
  if (options.resumeRunId) {
    dir = optimizeDir(workspaceRoot, options.resumeRunId);
    const previous = await readOptimizeManifest(dir);
    const prompts = await readPrompts(dir);
    if (!previous || !prompts) throw new OptimizeSetupError(`Cannot resume: ${dir} is not an optimize run.`);
    if (previous.configHash !== hash) throw new OptimizeSetupError(`Cannot resume optimize run ${options.resumeRunId}: truce.yaml changed since it started. Start a new run instead.`);
    if (previous.method !== methodName || previous.ablations.noCredit !== ablations.noCredit || previous.ablations.noUnits !== ablations.noUnits) {
      throw new OptimizeSetupError(`Cannot resume optimize run ${options.resumeRunId} with a different method or ablation; it used ${previous.method}${previous.ablations.noCredit ? ' --no-credit' : ''}${previous.ablations.noUnits ? ' --no-units' : ''}.`);
    }
    manifest = { ...previous, status: 'running', rounds, updatedAt: now().toISOString() };
    delete manifest.statusReason;
    initialTexts = prompts.initial;
    records = await readRoundRecords<RoundRecord>(dir);
    // Back to the last round record: a round cut short wrote its suggestions, credit and best set
    // ahead of its record; it is redone from the state before it.
    try {
      bestTexts = await committedBest(records, prompts, setHash);
    } catch (error) {
      if (error instanceof ResumeError) throw new OptimizeSetupError(`Cannot resume optimize run ${options.resumeRunId}: ${error.message}.`);
      throw error;
    }
    const stored = (await readSuggestions(dir)) as Array<Suggestion & { round: number }>;
    allSuggestions = committedSuggestions(stored, records.length);
    if (allSuggestions.length !== stored.length) await writeSuggestions(dir, allSuggestions);
    const methodState = committedMethodState(records);
    if (methodState !== undefined) method = resolveMethod(methodName, registry, { state: methodState });
  } else {
    const runId = newRunId(now());
    dir = optimizeDir(workspaceRoot, runId);
    initialTexts = {};
    for (const file of [...new Set(config.agents.map((a) => a.prompt))]) {
      try {
        initialTexts[file] = await readFile(resolve(workspaceRoot, file), 'utf8');
      } catch (error) {
        throw new OptimizeSetupError(`Cannot read the prompt file ${file}: ${(error as Error).message}. Check \`prompt\` in truce.yaml.`);
      }
    }
    bestTexts = { ...initialTexts };
    manifest = {
      format: OPTIMIZE_FORMAT,
      runId,
      createdAt: now().toISOString(),
      updatedAt: now().toISOString(),
      status: 'running',
      method: methodName,
      rounds,
      topK,
      seed,
      delta,
      ablations,
      configHash: hash,
      subRuns: [],
    };
  }
  // The go/no-go before anything is spent, and for a new run before its folder exists. A resumed
  // run's budget starts from what the run and its rollouts spent before.
  const limits = budgetLimits(config);
  const spentBefore = options.resumeRunId ? await spentSoFar(workspaceRoot, dir) : { calls: 0, tokens: 0, costUsd: 0 };
  const initialPrompts = await loadPromptSet(config, readerOf(bestTexts));
  const sampleFor = (k: number) => sampleBatch(split.train, batchSize, derivedRandom(seed, 'batch', k));
  const projection = projectOptimize(config, initialPrompts, { batch: sampleFor(1), val: split.val, test: split.test }, Math.max(0, rounds - records.length), topK, config.agents.length, ablations.noCredit, ablations.noUnits, { gate, delta, observed: await observeSpend(workspaceRoot) });
  if (options.confirmSpend) {
    const go = await options.confirmSpend({ what: 'optimize', projection: projection.total, complete: config.mas.kind === 'rounds', limits, spent: spentBefore });
    if (!go) throw new OptimizeSetupError('Not started: the projected spend was not confirmed. Nothing was spent.');
  }
  if (!options.resumeRunId) await mkdir(dir, { recursive: true });
  const runId = manifest.runId;
  const saveManifest = () => writeJsonAtomic(join(dir, OPTIMIZE_FILES.manifest), { ...manifest, updatedAt: now().toISOString() });
  const savePrompts = async () => writePrompts(dir, { initial: initialTexts, best: bestTexts, initialHash: await setHash(initialTexts), bestHash: await setHash(bestTexts) });
  await saveManifest();
  await savePrompts();
  // Durable and torn-tail safe: a crash mid-write must not glue the next round onto a fragment.
  const roundsFile = (await JsonlAppender.open(join(dir, OPTIMIZE_FILES.rounds), { durable: true })).appender;
  // Credit signals of a round that did not commit are cut; the round appends them again.
  let creditLines = options.resumeRunId ? await trimCredit(dir, records) : 0;
  // The optimizer's call records; opening cuts a record torn by a kill, so the next one starts
  // on a line of its own (a glued line would be lost, and with it spend the budget counts).
  const callsFile = (await JsonlAppender.open(join(dir, OPTIMIZE_FILES.calls))).appender;

  // LLM services of the optimizer: the workspace cache, the run's budget, calls recorded here.
  const budget = new Budget(limits, spentBefore);
  const accounting = new Accounting();
  let optimizer: LlmClient;
  let executor: LlmClient;
  try {
    // Batches of the optimizer's own calls are written down here; a resume adopts those left pending.
    const batchLedger = new RunBatchLedger(options.resumeRunId ? dir : undefined);
    batchLedger.attach(dir);
    ({ optimizer, executor } = createOptimizerClients(config, {
      workspaceRoot,
      env,
      budget,
      accounting,
      batchLedger,
      ...(options.secrets ? { secrets: options.secrets } : {}),
      ...(options.llm ? { llm: options.llm } : {}),
      onCall: (record) => {
        // A sink must not throw; a failed write only loses the record (the appender keeps the error).
        callsFile.append(record).catch(() => undefined);
      },
    }));
  } catch (error) {
    throw new OptimizeSetupError(`The optimizer endpoint is not usable: ${(error as Error).message}`);
  }

  const phaseUsage: Record<string, UsageTotals> = {};
  const optimizerUsage = () => accounting.snapshot().byPhase;
  const usageNow = (): Record<string, UsageTotals> => {
    const out = copyUsage(phaseUsage);
    for (const [phase, u] of Object.entries(optimizerUsage())) addUsage(out, phase, u);
    return out;
  };
  // Val scores per prompt-set hash: the best's scores are computed once and reused.
  const valScores = new Map<string, Map<string, number>>();
  if (records.length) valScores.set(records[records.length - 1].bestHash, new Map(Object.entries(records[records.length - 1].bestVal)));
  // The score each task got in its latest rollout, as the earlier rounds left it.
  const lastScore = options.resumeRunId ? await committedScores(workspaceRoot, records) : new Map<string, number>();
  // One reachability probe per new run; a resume replays from the cache and must not spend a call.
  let probed = options.resumeRunId !== undefined;

  const runTasks = async (texts: PromptTexts, tasks: readonly MasTask[], purpose: string, round: number): Promise<RolloutResult> => {
    const remaining = remainingLimits(budget);
    const out = exhausted(remaining);
    if (out) throw new BudgetStop(`Stopped: ${out}.`);
    let result: RolloutResult;
    try {
      result = await rollout({
        config,
        workspaceRoot,
        optimizeDir: dir,
        texts,
        tasks,
        limits: remaining,
        trusted: options.trusted,
        env,
        probe: !probed,
        ...(options.secrets ? { secrets: options.secrets } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.llm ? { llm: options.llm } : {}),
        ...(options.toolVersion ? { toolVersion: options.toolVersion } : {}),
        ...(options.confirmSpend ? { runIntoCap: true } : {}),
      });
    } catch (error) {
      if (error instanceof RunSetupError && /budget/i.test(error.message)) throw new BudgetStop(error.message);
      throw error;
    }
    probed = true;
    charge(budget, result.usage);
    for (const [phase, u] of Object.entries(result.byPhase)) addUsage(phaseUsage, phase === 'rollout' ? purpose : phase, u);
    // A run reused after a resume may be listed already (the kill came after its rollout returned).
    if (!manifest.subRuns.some((s) => s.runId === result.runId && s.purpose === purpose && s.round === round)) {
      manifest.subRuns.push({ runId: result.runId, purpose, round });
      await saveManifest();
    }
    if (result.status === 'stopped-budget') throw new BudgetStop(result.statusReason ?? 'the budget ran out during a rollout');
    if (result.status === 'cancelled') throw new CancelStop();
    return result;
  };
  // Val scores are kept per task, so the paired gate can run a candidate on a few tasks at a time
  // and a later full validation runs only the tasks still missing. A task whose rollout gave no
  // score counts as tried: it is not run again for the same prompt set.
  const valTried = new Map<string, Set<string>>();
  const valOf = async (texts: PromptTexts, round: number, runIds: string[], tasks: readonly MasTask[] = split.val): Promise<Map<string, number>> => {
    const h = await setHash(texts);
    const known = valScores.get(h) ?? new Map<string, number>();
    const tried = valTried.get(h) ?? new Set(known.keys());
    const missing = tasks.filter((t) => !tried.has(t.id));
    if (missing.length) {
      const r = await runTasks(texts, missing, 'validation', round);
      runIds.push(r.runId);
      for (const t of missing) tried.add(t.id);
      for (const [id, score] of r.scores) known.set(id, score);
    }
    valScores.set(h, known);
    valTried.set(h, tried);
    return new Map(tasks.filter((t) => known.has(t.id)).map((t) => [t.id, known.get(t.id) as number]));
  };
  /**
   * The paired gate (pairedGate.ts, sequentialValidation.ts): the candidate runs the validation
   * tasks in batches of `concurrency`, in the split's (seeded) order, against the best set's scores
   * on the same tasks, and stops as soon as the e-process accepts or acceptance is out of reach.
   * No set is run on the whole split for its own sake: the best set runs the tasks a comparison
   * needs, as they come, and its scores serve every comparison of the round.
   */
  const valStep = Math.max(2, config.concurrency);
  const scoresOf = (texts: PromptTexts, round: number, runIds: string[]) => (tasks: readonly MasTask[]) => valOf(texts, round, runIds, tasks);
  const pairedValidation = async (texts: PromptTexts, bestTexts: PromptTexts, round: number, runIds: string[]): Promise<AcceptanceDecision> => {
    const settings = { delta, comparisons: rounds };
    const run = await compareSequentially(split.val, valStep, comparisonDelta(settings), scoresOf(bestTexts, round, runIds), scoresOf(texts, round, runIds));
    return pairedDecision(run.baseline, run.candidate, run.ids, run.verdict, settings, run.remaining);
  };

  options.onProgress?.({ type: 'started', runId, dir, rounds, resumedAfter: records.length, batch: Math.min(batchSize, split.train.length), perRound: projection.perRound, total: projection.total });

  let status: OptimizeStatus = 'completed';
  let reason: string | undefined;
  let valBefore: number | null = null;
  const test = { before: null as number | null, after: null as number | null };
  try {
    // The Hoeffding gate compares whole-split means, so the starting set is scored on every val
    // task up front; the paired gate scores it task by task as its first comparison needs.
    if (gate === 'hoeffding') valBefore = mean(await valOf(initialTexts, 0, []));
    for (let k = records.length + 1; k <= rounds; k++) {
      if (options.signal?.aborted) throw new CancelStop();
      const before = usageNow();
      const notes: string[] = [];
      const note = (m: string) => {
        notes.push(m);
        options.onProgress?.({ type: 'note', message: m });
      };
      const stage = (s: Extract<OptimizeProgress, { type: 'stage' }>['stage']) => options.onProgress?.({ type: 'stage', round: k, stage: s });

      const batch = sampleFor(k);
      stage('rollout');
      const roll = await runTasks(bestTexts, batch, 'rollout', k);
      const trajectories: Trajectory[] = roll.trajectories.map((t) => {
        const prev = lastScore.get(t.taskId);
        return prev === undefined ? t : { ...t, attrs: { ...(t.attrs ?? {}), [PREVIOUS_SCORE_ATTR]: prev } };
      });
      for (const [id, s] of roll.scores) lastScore.set(id, s);

      const prompts = await loadPromptSet(config, readerOf(bestTexts));
      const context: MethodContext = {
        config,
        prompts,
        agents: buildAgentUnits(config, bestTexts),
        optimizer,
        executor,
        random: derivedRandom(seed, 'method', k),
        ablations,
        note,
        history: editHistory(allSuggestions, records),
        ...(options.signal ? { signal: options.signal } : {}),
      };
      stage('credit');
      const report = await method.credit(context, trajectories);
      stage('suggest');
      let pooled: { ranked: Suggestion[]; retained: Suggestion[] };
      if (ablations.noUnits) {
        // The no-units ablation: one whole-list rewrite per implicated agent, taken as it is —
        // no per-unit support, top-k or conflict filtering (that would be unit refinement again).
        const rewrites = await globalRewrite(context, report, trajectories, { sampledTaskIds: batch.map((t) => t.id), method: methodName });
        await writeCredit(dir, report, true);
        creditLines += report.signals.length;
        pooled = { ranked: rewrites.suggestions, retained: rewrites.suggestions };
      } else {
        const raws = await method.suggest(context, report, trajectories);
        await writeCredit(dir, report, true);
        creditLines += report.signals.length;
        stage('aggregate');
        const aggregateOptions = { sampledTaskIds: batch.map((t) => t.id), topK, method: methodName, minTasks: config.optimizer.minSupportTasks };
        let clusters = clusterSuggestions(raws);
        if ((options.llmMerge ?? config.optimizer.llmMerge) && clusters.length > 1) clusters = joinClusters(clusters, await llmMergeGroups(optimizer, clusters, note, options.signal));
        pooled = poolClusters(clusters, aggregateOptions);
      }

      stage('apply');
      const applied = pooled.retained.length ? await applySuggestions(config, bestTexts, pooled.retained, llmRewriter(optimizer, note, options.signal)) : { texts: bestTexts, results: [] };
      const appliedIds = new Set(applied.results.filter((r) => r.status === 'applied').map((r) => r.suggestionId));
      const valRunIds: string[] = [];
      let decision: AcceptanceDecision | undefined;
      let candidateHash: string | undefined;
      if (appliedIds.size) {
        stage('validate');
        candidateHash = await setHash(applied.texts);
        if (gate === 'paired') {
          decision = await pairedValidation(applied.texts, bestTexts, k, valRunIds);
        } else {
          const bestVal = await valOf(bestTexts, k, valRunIds);
          const candVal = await valOf(applied.texts, k, valRunIds);
          decision = decideAcceptance(bestVal, candVal, { delta, comparisons: rounds });
        }
      } else if (pooled.retained.length) note(`round ${k}: none of the retained suggestions could be applied; no candidate to validate.`);
      else note(`round ${k}: no suggestions survived; the best prompt set stays.`);
      const accepted = decision?.accepted === true;
      const previousBest = bestTexts;
      if (accepted) bestTexts = applied.texts;

      // Pruning: a candidate is accepted as a whole, so an edit that does nothing for validation
      // can ride along with the fixes that earned the acceptance. Each accepted item (an edit, or
      // one agent's whole global rewrite), weakest support first, is tried away.
      // Paired gate: the set without the item replaces the set with it only when it, too, beats the
      // previous best at the round's α and scores no lower than the set with it on the same tasks
      // (pruneSequentially: sequential, stops early, the previous best's scores shared). Pruning
      // ends at the first item kept, which makes the sets tested a chain fixed before validation —
      // candidate, candidate minus the weakest item, minus the two weakest, … — each tested only
      // when the one before it was accepted. That is fixed-sequence testing: a false acceptance
      // anywhere needs the first set of the chain that is no better than the previous best to be
      // accepted, which happens with probability ≤ α, so every test may use the whole α and the
      // round still stays within δ/rounds. Hoeffding gate: whole-split means, as before.
      const pruned = new Map<string, string>();
      const appliedItems = candidateItems(pooled.retained.filter((s) => appliedIds.has(s.id)));
      const pruning: PruneRecord[] = [];
      if (accepted && config.optimizer.prune && appliedItems.length > 1) {
        stage('prune');
        let kept = appliedItems;
        let keptVal = gate === 'hoeffding' ? mean(await valOf(bestTexts, k, valRunIds)) ?? 0 : 0;
        for (const weakest of pruneOrder(appliedItems)) {
          if (kept.length <= 1) break;
          const rest = kept.filter((i) => i.key !== weakest.key);
          const without = await applySuggestions(config, previousBest, rest.flatMap((i) => i.members), llmRewriter(optimizer, note, options.signal));
          if (without.results.some((r) => r.status !== 'applied')) continue;
          if (gate === 'paired') {
            const alpha = comparisonDelta({ delta, comparisons: rounds });
            const test = await pruneSequentially(split.val, valStep, alpha, delta, scoresOf(previousBest, k, valRunIds), scoresOf(bestTexts, k, valRunIds), scoresOf(without.texts, k, valRunIds));
            const evidence = `${test.n} validation tasks, α = δ/${rounds} = ${alpha.toPrecision(3)}`;
            const whole = weakest.members[0].group !== undefined ? ` (the rewrite ${weakest.key} this edit belongs to, ${weakest.members.length} edits, kept or dropped together)` : '';
            const reason = test.drop ? `Pruned after acceptance${whole}: ${test.why} (${evidence}), so it did not help.` : `Kept after acceptance${whole}: ${test.why} (${evidence}); pruning ends here.`;
            const { drop, ...verdict } = test;
            pruning.push({ suggestions: weakest.members.map((m) => m.id), dropped: drop, n: test.n, alpha, verdict, reason });
            if (!drop) break;
            for (const m of weakest.members) pruned.set(m.id, reason);
          } else {
            const withoutVal = mean(await valOf(without.texts, k, valRunIds)) ?? 0;
            const what = weakest.members[0].group !== undefined ? `the rewrite ${weakest.key} it belongs to (${weakest.members.length} edits, kept or dropped together)` : 'it';
            if (withoutVal < keptVal) continue;
            for (const m of weakest.members) pruned.set(m.id, `Pruned after acceptance: validation ${withoutVal.toFixed(3)} without ${what} vs ${keptVal.toFixed(3)} with it, so it did not help.`);
            keptVal = withoutVal;
          }
          kept = rest;
          bestTexts = without.texts;
        }
      }

      // Final statuses: applied-and-accepted, or the reason it did not make it.
      const byId = new Map(applied.results.map((r) => [r.suggestionId, r]));
      const finals = pooled.ranked.map((s): Suggestion & { round: number } => {
        const r = byId.get(s.id);
        if (s.status === 'rejected') return { ...s, round: k };
        if (!r) return { ...s, round: k, status: 'rejected', reason: 'Not applied.' };
        if (r.status === 'stale') return { ...s, round: k, status: 'stale', reason: r.reason ?? 'stale' };
        if (r.status === 'rejected') return { ...s, round: k, status: 'rejected', reason: r.reason ?? 'could not be applied' };
        const edit = r.edit ?? s.edit;
        if (accepted && pruned.has(s.id)) return { ...s, edit, round: k, status: 'rejected', reason: pruned.get(s.id) as string };
        if (accepted) return { ...s, edit, round: k, status: 'accepted', reason: decision?.reason ?? '' };
        return { ...s, edit, round: k, status: 'rejected', reason: `The candidate with this edit was not accepted: ${decision?.reason ?? 'not validated'}` };
      });
      allSuggestions = [...allSuggestions, ...finals];
      await writeSuggestions(dir, allSuggestions);
      await savePrompts();

      const bestHash = await setHash(bestTexts);
      const bestVal = valScores.get(bestHash) ?? new Map<string, number>();
      const bestChangedNow = bestHash !== (await setHash(previousBest));
      const methodState = report.details?.state;
      const record: RoundRecord = {
        round: k,
        batch: batch.map((t) => t.id),
        rolloutRunId: roll.runId,
        trainScore: mean(roll.scores) ?? 0,
        notes,
        suggestions: { retained: pooled.retained.map((s) => s.id), rejected: finals.filter((s) => s.status !== 'accepted').map((s) => ({ id: s.id, reason: s.reason ?? s.status })) },
        applied: applied.results,
        ...(candidateHash ? { candidateHash } : {}),
        valRunIds,
        ...(decision ? { decision } : {}),
        accepted,
        bestHash,
        ...(bestChangedNow ? { bestTexts: { ...bestTexts } } : {}),
        ...(methodState !== undefined ? { methodState } : {}),
        creditLines,
        ...(pruning.length ? { pruning } : {}),
        bestVal: Object.fromEntries(bestVal),
        usage: diffUsage(usageNow(), before),
      };
      await roundsFile.append(record);
      records.push(record);
      options.onProgress?.({ type: 'round', record });
    }
    options.onProgress?.({ type: 'stage', round: rounds, stage: 'test' });
    if (split.test.length) {
      const initialTest = await runTasks(initialTexts, split.test, 'test', rounds + 1);
      test.before = mean(initialTest.scores);
      const same = (await setHash(bestTexts)) === (await setHash(initialTexts));
      test.after = same ? test.before : mean((await runTasks(bestTexts, split.test, 'test', rounds + 1)).scores);
    }
  } catch (error) {
    if (error instanceof BudgetStop || error instanceof BudgetExceededError) {
      status = 'stopped-budget';
      reason = error.message;
    } else if (error instanceof CancelStop || options.signal?.aborted) {
      status = 'cancelled';
      reason = 'cancelled by the user';
    } else {
      manifest.status = 'failed';
      manifest.statusReason = (error as Error).message;
      await saveManifest();
      await callsFile.flush().catch(() => undefined);
      throw error;
    }
  }
  const valReport = async (bestHash: string): Promise<OptimizeResult['val']> => {
    const after = valScores.get(bestHash) ?? new Map<string, number>();
    if (gate === 'hoeffding') return { before: valBefore, after: mean(after) };
    const before = valScores.get(await setHash(initialTexts)) ?? new Map<string, number>();
    const ids = [...after.keys()].filter((id) => before.has(id));
    const on = (m: ReadonlyMap<string, number>) => mean(new Map(ids.map((id) => [id, m.get(id) as number])));
    return { before: on(before), after: on(after), tasks: ids.length };
  };
  manifest.status = status;
  if (reason) manifest.statusReason = reason;
  manifest.val = await valReport(await setHash(bestTexts));
  await saveManifest();
  await savePrompts();
  await callsFile.flush().catch(() => undefined);
  options.onProgress?.({ type: 'finished', status, ...(reason ? { reason } : {}) });

  const outcome = (s: Suggestion & { round: number }): SuggestionOutcome => ({
    id: s.id,
    round: s.round,
    op: s.edit.op,
    agentId: s.edit.agentId,
    file: s.file,
    ...(s.edit.newText !== undefined ? { newText: s.edit.newText } : {}),
    support: s.support,
    status: s.status,
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
    ...(s.group !== undefined ? { group: s.group } : {}),
  });
  const byPhase = usageNow();
  const total = emptyTotals();
  for (const u of Object.values(byPhase)) for (const k of Object.keys(total) as Array<keyof UsageTotals>) total[k] += u[k];
  const bestHash = await setHash(bestTexts);
  return {
    runId,
    dir,
    status,
    ...(reason ? { reason } : {}),
    method: methodName,
    rounds: records,
    accepted: allSuggestions.filter((s) => s.status === 'accepted').map(outcome),
    rejected: allSuggestions.filter((s) => s.status !== 'accepted').map(outcome),
    val: await valReport(bestHash),
    test,
    bestChanged: bestHash !== (await setHash(initialTexts)),
    usage: { byPhase, total },
  };
}

/** Internal stops that end the loop with a status instead of an exception. */
class BudgetStop extends Error {}
class CancelStop extends Error {
  constructor() {
    super('cancelled');
  }
}

/**
 * What the earlier rounds did with their edits, for the methods' suggestion prompts: every
 * suggestion that was tried (applied and validated, pruned, or rejected by validation) with its
 * status and reason; an accepted edit carries its round's validation verdict.
 */
function editHistory(suggestions: ReadonlyArray<Suggestion & { round: number }>, records: readonly RoundRecord[]): EditHistoryEntry[] {
  const verdict = new Map(records.map((r) => [r.round, r.decision?.reason]));
  return suggestions
    // Only edits validation had a say on: pooling rejections (support, top-k) never reached it.
    .filter((s) => s.status === 'accepted' || (s.status === 'rejected' && /^(The candidate with this edit was not accepted|Pruned after acceptance)/.test(s.reason ?? '')))
    .map((s) => {
      const reason = s.status === 'accepted' ? verdict.get(s.round) : s.reason;
      return {
        round: s.round,
        agentId: s.edit.agentId,
        op: s.edit.op,
        ...(s.edit.oldText !== undefined ? { oldText: s.edit.oldText } : {}),
        ...(s.edit.newText !== undefined ? { newText: s.edit.newText } : {}),
        status: s.status,
        ...(reason !== undefined ? { reason } : {}),
      };
    });
}
