/**
 * Algorithm 1, line 1 ("initialize prompts"), or where a resumed run left off: a new run reads the
 * prompt files into its starting set; a resumed one is taken back to its last round record — a
 * round cut short wrote its suggestions, credit and best set ahead of its record, and is redone
 * from the state before it (resumePoint.ts). Either way the rounds that follow see one starting
 * point and do not know which it was.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { configHash } from '../../run';
import { newRunId } from '../../store';
import { resolveMethod } from '../../credit/resolveMethod';
import type { PromptTexts } from '../../credit/agentUnits';
import type { CreditMethod, Suggestion } from '../../credit/types';
import { OPTIMIZE_FORMAT, optimizeDir, readOptimizeManifest, readPrompts, readRoundRecords, readSuggestions, writeSuggestions, type OptimizeManifest } from '../optimizeStore';
import { OptimizeSetupError, type RoundRecord } from '../optimizeTypes';
import { committedBest, committedMethodState, committedSuggestions, ResumeError } from '../resumePoint';
import type { OptimizeSettings, StartingPoint } from './runState';

export async function openRun(settings: OptimizeSettings, method: CreditMethod, resumeRunId: string | undefined): Promise<StartingPoint> {
  return resumeRunId ? resumeRun(settings, method, resumeRunId) : newRun(settings, method);
}

async function resumeRun(settings: OptimizeSettings, fresh: CreditMethod, resumeRunId: string): Promise<StartingPoint> {
  const { config, workspaceRoot, methodName, ablations, rounds, now, setHash } = settings;
  const hash = configHash(config);
  const dir = optimizeDir(workspaceRoot, resumeRunId);
  const previous = await readOptimizeManifest(dir);
  const prompts = await readPrompts(dir);
  if (!previous || !prompts) throw new OptimizeSetupError(`Cannot resume: ${dir} is not an optimize run.`);
  if (previous.configHash !== hash) throw new OptimizeSetupError(`Cannot resume optimize run ${resumeRunId}: truce.yaml changed since it started. Start a new run instead.`);
  if (previous.method !== methodName || previous.ablations.noCredit !== ablations.noCredit || previous.ablations.noUnits !== ablations.noUnits) {
    throw new OptimizeSetupError(`Cannot resume optimize run ${resumeRunId} with a different method or ablation; it used ${previous.method}${previous.ablations.noCredit ? ' --no-credit' : ''}${previous.ablations.noUnits ? ' --no-units' : ''}.`);
  }
  const manifest: OptimizeManifest = { ...previous, status: 'running', rounds, updatedAt: now().toISOString() };
  delete manifest.statusReason;
  const initialTexts = prompts.initial;
  const records = await readRoundRecords<RoundRecord>(dir);
  // Back to the last round record: a round cut short wrote its suggestions, credit and best set
  // ahead of its record; it is redone from the state before it.
  let best: PromptTexts;
  try {
    best = await committedBest(records, prompts, setHash);
  } catch (error) {
    if (error instanceof ResumeError) throw new OptimizeSetupError(`Cannot resume optimize run ${resumeRunId}: ${error.message}.`);
    throw error;
  }
  const stored = (await readSuggestions(dir)) as Array<Suggestion & { round: number }>;
  const suggestions = committedSuggestions(stored, records.length);
  if (suggestions.length !== stored.length) await writeSuggestions(dir, suggestions);
  const methodState = committedMethodState(records);
  // The method continues from the state the last committed round published (BCD's EMA and phase).
  const method = methodState !== undefined ? resolveMethod(methodName, settings.methods, { state: methodState }) : fresh;
  return { resumedFrom: resumeRunId, dir, manifest, initialTexts, best, records, suggestions, method };
}

async function newRun(settings: OptimizeSettings, method: CreditMethod): Promise<StartingPoint> {
  const { config, workspaceRoot, now } = settings;
  const runId = newRunId(now());
  const dir = optimizeDir(workspaceRoot, runId);
  const initialTexts: Record<string, string> = {};
  for (const file of [...new Set(config.agents.map((a) => a.prompt))]) {
    try {
      initialTexts[file] = await readFile(resolve(workspaceRoot, file), 'utf8');
    } catch (error) {
      throw new OptimizeSetupError(`Cannot read the prompt file ${file}: ${(error as Error).message}. Check \`prompt\` in truce.yaml.`);
    }
  }
  const manifest: OptimizeManifest = {
    format: OPTIMIZE_FORMAT,
    runId,
    createdAt: now().toISOString(),
    updatedAt: now().toISOString(),
    status: 'running',
    method: settings.methodName,
    rounds: settings.rounds,
    topK: settings.topK,
    seed: settings.seed,
    delta: settings.delta,
    ablations: settings.ablations,
    configHash: configHash(config),
    subRuns: [],
  };
  return { dir, manifest, initialTexts, best: { ...initialTexts }, records: [], suggestions: [], method };
}
