/**
 * Reads the optional files of a run folder (credit.jsonl, credit.json, optimize.jsonl,
 * suggestions.json; see runExtrasSchema.ts for their formats; interventions.jsonl, see
 * core/intervene/interventionStore.ts) with
 * the store's crash-tolerant JSONL reader. A missing file is simply absent data: most runs have
 * no credit or optimization yet. No `vscode` import, so Node tests can call it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeIntervention, latestByStep, readInterventions } from '../../core/intervene';
import { readJsonlFile, type JsonlContents } from '../../core/store';
import { classifyCreditLines, parseOptimizeLines, reportGraphs, SuggestionsFileSchema, type InterventionNote, type RunExtras } from '../../shared/panel/runExtrasSchema';

export const EXTRA_FILES = { credit: 'credit.jsonl', report: 'credit.json', optimize: 'optimize.jsonl', suggestions: 'suggestions.json' } as const;

function readingProblems(file: string, contents: JsonlContents): string[] {
  const problems = contents.errors.map((e) => `${file}:${e.line}: ${e.message}`);
  if (contents.torn) problems.push(`${file}:${contents.torn.line}: incomplete last line dropped (still being written?)`);
  return problems;
}

export async function readRunExtras(runDir: string): Promise<RunExtras> {
  const creditFile = await readJsonlFile(join(runDir, EXTRA_FILES.credit));
  const optimizeFile = await readJsonlFile(join(runDir, EXTRA_FILES.optimize));
  const credit = classifyCreditLines(creditFile.lines, EXTRA_FILES.credit);
  const optimize = parseOptimizeLines(optimizeFile.lines, EXTRA_FILES.optimize);
  const problems = [
    ...readingProblems(EXTRA_FILES.credit, creditFile),
    ...credit.problems,
    ...readingProblems(EXTRA_FILES.optimize, optimizeFile),
    ...optimize.problems,
  ];
  let suggestions: RunExtras['suggestions'];
  const suggestionsFile = await readJson(join(runDir, EXTRA_FILES.suggestions), EXTRA_FILES.suggestions, problems);
  if (suggestionsFile.found) {
    const parsed = SuggestionsFileSchema.safeParse(suggestionsFile.value);
    if (parsed.success) suggestions = parsed.data;
    else problems.push(`${EXTRA_FILES.suggestions}: not a list of suggestions (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  }
  // A graph in credit.json (GBC's details.graph) wins over a graph line in credit.jsonl: the
  // attribution graph uses the last graph of a task.
  const graphs = [...credit.graphs];
  const report = await readJson(join(runDir, EXTRA_FILES.report), EXTRA_FILES.report, problems);
  if (report.found) {
    const fromReport = reportGraphs(report.value, EXTRA_FILES.report);
    graphs.push(...fromReport.graphs);
    problems.push(...fromReport.problems);
  }
  const interventions = await interventionNotes(runDir, problems);
  return { signals: credit.signals, graphs, optimize: optimize.optimize, suggestions, ...(interventions.length ? { interventions } : {}), problems };
}

/** The latest intervention on each step, with the sentence credit and the hover show for it. */
async function interventionNotes(runDir: string, problems: string[]): Promise<InterventionNote[]> {
  const file = await readInterventions(runDir);
  problems.push(...file.problems);
  return [...latestByStep(file.records).values()].map((r) => ({
    taskId: r.taskId,
    stepId: r.stepId,
    verdict: r.runs === 0 ? 'unchecked' : r.flips > 0 ? 'confirmed' : 'not-confirmed',
    text: describeIntervention(r),
    flips: r.flips,
    runs: r.runs,
    correction: r.correction,
    at: r.at,
  }));
}

/** A JSON file that may be absent; unreadable or invalid JSON is a problem, not an exception. */
async function readJson(path: string, file: string, problems: string[]): Promise<{ found: false } | { found: true; value: unknown }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') problems.push(`${file}: unreadable (${(error as Error).message})`);
    return { found: false };
  }
  try {
    return { found: true, value: JSON.parse(text) };
  } catch (error) {
    problems.push(`${file}: invalid JSON (${(error as Error).message}); still being written?`);
    return { found: false };
  }
}
