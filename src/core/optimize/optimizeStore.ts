/**
 * The files of an optimize run, in `.truce/runs/<id>/` next to ordinary runs:
 *
 *   optimize.json      the manifest (its own kind, 'truce-optimize/1'): settings, status, sub-runs
 *   optimize.jsonl     one record per finished round (append-only; resume continues after the last)
 *   suggestions.json   every pooled suggestion of every round with its final status and reason
 *   credit.jsonl       every credit signal (subtrajectory and unit scope), one per line
 *   credit.json        the last round's full credit report (details included), for `truce suggest`
 *                      (both written and read by credit/creditFiles.ts)
 *   prompts.json       the initial and the best prompt texts, by workspace-relative file
 *   best/<file>        the best prompt set as files, for diffing and copying
 *   llm-calls.jsonl    the optimizer's own LLM calls (rollouts keep theirs in their own runs)
 *
 * There is no manifest.json, so run listings (`truce report latest`) skip optimize runs.
 */
import { join } from 'node:path';
import * as z from 'zod';
import { CREDIT_FILES } from '../credit/creditFiles';
import type { Suggestion } from '../credit/types';
import { OPTIMIZE_MANIFEST_FILE, readJsonIfPresent, readJsonlFile, runDir, writeFileAtomic, writeJsonAtomic } from '../store';

export const OPTIMIZE_FORMAT = 'truce-optimize/1';

export const OPTIMIZE_FILES = {
  manifest: OPTIMIZE_MANIFEST_FILE,
  rounds: 'optimize.jsonl',
  suggestions: 'suggestions.json',
  credit: CREDIT_FILES.signals,
  report: CREDIT_FILES.report,
  prompts: 'prompts.json',
  best: 'best',
  calls: 'llm-calls.jsonl',
} as const;

export const OptimizeManifestSchema = z.looseObject({
  format: z.literal(OPTIMIZE_FORMAT),
  runId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: z.enum(['running', 'completed', 'stopped-budget', 'cancelled', 'failed']),
  statusReason: z.string().optional(),
  method: z.string(),
  rounds: z.number().int(),
  topK: z.number().int(),
  seed: z.number(),
  delta: z.number(),
  ablations: z.object({ noCredit: z.boolean(), noUnits: z.boolean() }),
  configHash: z.string(),
  /** Every rollout run this optimize run started, with its purpose. */
  subRuns: z.array(z.object({ runId: z.string(), purpose: z.string(), round: z.number().int() })),
  /** Val means of the starting and the best set as the run reported them (the paired gate: over the tasks both ran). */
  val: z.object({ before: z.number().nullable(), after: z.number().nullable(), tasks: z.number().int().optional() }).optional(),
});
export type OptimizeManifest = z.infer<typeof OptimizeManifestSchema>;

export interface PromptsFile {
  initial: Record<string, string>;
  best: Record<string, string>;
  bestHash: string;
  initialHash: string;
}

/** The folder of an optimize run; throws RunRefError when `runId` is not a run of this workspace. */
export function optimizeDir(workspaceRoot: string, runId: string): string {
  return runDir(workspaceRoot, runId);
}

export async function readOptimizeManifest(dir: string): Promise<OptimizeManifest | undefined> {
  // A damaged file is named in the error (readJsonIfPresent), not reported as bare JSON syntax.
  const value = await readJsonIfPresent<unknown>(join(dir, OPTIMIZE_FILES.manifest));
  if (value === undefined) return undefined;
  const parsed = OptimizeManifestSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${join(dir, OPTIMIZE_FILES.manifest)} is not an optimize manifest: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}

export async function readRoundRecords<T>(dir: string): Promise<T[]> {
  const contents = await readJsonlFile(join(dir, OPTIMIZE_FILES.rounds));
  return contents.lines.map((l) => l.value as T);
}

export function readPrompts(dir: string): Promise<PromptsFile | undefined> {
  return readJsonIfPresent<PromptsFile>(join(dir, OPTIMIZE_FILES.prompts));
}

export async function readSuggestions(dir: string): Promise<Suggestion[]> {
  return (await readJsonIfPresent<Suggestion[]>(join(dir, OPTIMIZE_FILES.suggestions))) ?? [];
}

export async function writeSuggestions(dir: string, suggestions: readonly Suggestion[]): Promise<void> {
  await writeJsonAtomic(join(dir, OPTIMIZE_FILES.suggestions), suggestions);
}

export async function writePrompts(dir: string, prompts: PromptsFile): Promise<void> {
  await writeJsonAtomic(join(dir, OPTIMIZE_FILES.prompts), prompts);
  for (const [file, text] of Object.entries(prompts.best)) {
    const safe = file.replace(/\\/g, '/').split('/').filter((p) => p && p !== '..' && p !== '.').join('/');
    await writeFileAtomic(join(dir, OPTIMIZE_FILES.best, safe), text);
  }
}
