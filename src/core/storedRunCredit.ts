/**
 * Credit and suggestions for a run that is already stored (`truce credit <run>`, `truce suggest
 * <run>`, and the editor's commands): the run's trajectories, the prompt files as they are now,
 * the TRUCE method, and the results written next to the run — credit.json (the full report),
 * credit.jsonl (one signal per line) and suggestions.json (pooled, ranked, top-k retained).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TruceConfig } from './config';
import { createTruceMethod, truceDetails } from './credit/truce';
import { deriveUnitCredit } from './credit/truce/unitCredit';
import { Accounting, Budget, type EndpointRole, type LlmServicesOptions, type UsageTotals } from './llm';
import { loadPromptSet } from './mas';
import { budgetLimits } from './run';
import { loadRun, lockRunDir, runDir } from './store';
import { aggregateSuggestions } from './optimize/aggregate';
import { agentPromptIn, buildAgentUnits } from './credit/agentUnits';
import { createOptimizerClient } from './optimize/optimizerClient';
import { readCreditReport, writeCredit } from './credit/creditFiles';
import { writeSuggestions } from './optimize/optimizeStore';
import { derivedRandom } from './optimize/random';
import type { CreditReport, MethodContext, Suggestion } from './credit/types';

export interface StoredRunOptions {
  config: TruceConfig;
  workspaceRoot: string;
  runId: string;
  env: Readonly<Record<string, string | undefined>>;
  secrets?: Partial<Record<EndpointRole, string>>;
  noCredit?: boolean;
  topK?: number;
  signal?: AbortSignal;
  llm?: Pick<LlmServicesOptions, 'clock' | 'random' | 'retry' | 'fetch' | 'onRetry'>;
}

export interface StoredRunCredit {
  runId: string;
  dir: string;
  report: CreditReport;
  notes: string[];
  usage: Record<string, UsageTotals>;
}

async function setup(options: StoredRunOptions) {
  const run = await loadRun(options.workspaceRoot, options.runId);
  const texts: Record<string, string> = {};
  for (const file of [...new Set(options.config.agents.map((a) => a.prompt))]) texts[file] = await readFile(resolve(options.workspaceRoot, file), 'utf8');
  const accounting = new Accounting();
  const optimizer = createOptimizerClient(options.config, {
    workspaceRoot: options.workspaceRoot,
    env: options.env,
    budget: new Budget(budgetLimits(options.config)),
    accounting,
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.llm ? { llm: options.llm } : {}),
  });
  const notes: string[] = [];
  const context: MethodContext = {
    config: options.config,
    prompts: await loadPromptSet(options.config, (f) => texts[f] ?? ''),
    agents: buildAgentUnits(options.config, texts),
    optimizer,
    random: derivedRandom(options.config.tasks.seed, 'stored', run.manifest.runId),
    ablations: { noCredit: options.noCredit ?? false, noUnits: false },
    note: (m) => notes.push(m),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const scored = run.trajectories.filter((t) => t.outcome !== undefined);
  return { run, context, notes, accounting, scored };
}

/**
 * Credit writes into the run folder, so it holds the folder's lock like run, resume and optimize:
 * crediting a run that another process is still writing (or crediting it twice at once) would read
 * half a run or interleave two credit files. A busy run is refused with the holder's pid.
 */
async function withRunLock<T>(options: StoredRunOptions, work: (locked: StoredRunOptions) => Promise<T>): Promise<T> {
  // `latest` is resolved once, so the run locked is the run credited even if another starts now.
  const id = options.runId === 'latest' ? (await loadRun(options.workspaceRoot, 'latest')).manifest.runId : options.runId;
  const dir = runDir(options.workspaceRoot, id);
  // A run that does not exist has nothing to protect; loading it then says so in its own words.
  if (!existsSync(dir)) return work(options);
  const lock = lockRunDir(dir, id, 'credit');
  try {
    return await work({ ...options, runId: id });
  } finally {
    lock.release();
  }
}

/** Φ over the run; unit credit from Φ's points alone (Ψ targets join later, in suggest). */
export function creditStoredRun(options: StoredRunOptions): Promise<StoredRunCredit> {
  return withRunLock(options, creditLocked);
}

async function creditLocked(options: StoredRunOptions): Promise<StoredRunCredit> {
  const { run, context, notes, accounting, scored } = await setup(options);
  const report = await createTruceMethod().credit(context, scored);
  const details = truceDetails(report);
  const credited = context.agents.flatMap((au) => {
    const cfg = options.config.agents.find((a) => a.id === au.agentId);
    const prompt = cfg ? agentPromptIn(au.document, cfg) : undefined;
    return prompt ? [{ agentId: au.agentId, prompt }] : [];
  });
  const stepAgent = new Map(scored.map((t) => [t.taskId, new Map(t.steps.map((s) => [s.id, s.agentId]))]));
  report.signals.push(...deriveUnitCredit(Object.keys(details.phi), new Map(Object.entries(details.phi)), [], credited, stepAgent));
  await writeCredit(run.dir, report, false);
  return { runId: run.manifest.runId, dir: run.dir, report, notes, usage: accounting.snapshot().byPhase };
}

export interface StoredRunSuggestions extends StoredRunCredit {
  suggestions: Suggestion[];
}

/** Ψ from the stored credit (credit.json), pooled across the run's tasks; writes suggestions.json. */
export function suggestForStoredRun(options: StoredRunOptions): Promise<StoredRunSuggestions> {
  return withRunLock(options, suggestLocked);
}

async function suggestLocked(options: StoredRunOptions): Promise<StoredRunSuggestions> {
  const { run, context, notes, accounting, scored } = await setup(options);
  const report = (await readCreditReport(run.dir)) ?? (options.noCredit ? { method: 'truce' as const, signals: [], details: { noCredit: true } } : undefined);
  if (!report) throw new Error(`Run ${run.manifest.runId} has no credit yet; run \`truce credit ${run.manifest.runId}\` first (or pass --no-credit).`);
  const raws = await createTruceMethod().suggest(context, report, scored);
  await writeCredit(run.dir, report, false);
  const pooled = aggregateSuggestions(raws, { sampledTaskIds: scored.map((t) => t.taskId), topK: options.topK ?? options.config.optimizer.topK, method: 'truce' });
  await writeSuggestions(run.dir, pooled.ranked);
  return { runId: run.manifest.runId, dir: run.dir, report, notes, usage: accounting.snapshot().byPhase, suggestions: pooled.ranked };
}
