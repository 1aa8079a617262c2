/**
 * Reads the optional files of a run folder (credit.jsonl, optimize.jsonl, suggestions.json) with
 * the store's crash-tolerant JSONL reader. A missing file is simply absent data: most runs have
 * no credit or optimization yet. No `vscode` import, so Node tests can call it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonlFile, type JsonlContents } from '../../core/store';
import { classifyCreditLines, parseOptimizeLines, SuggestionsFileSchema, type RunExtras } from '../../shared/panel/runExtrasSchema';

export const EXTRA_FILES = { credit: 'credit.jsonl', optimize: 'optimize.jsonl', suggestions: 'suggestions.json' } as const;

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
  try {
    const text = await readFile(join(runDir, EXTRA_FILES.suggestions), 'utf8');
    const parsed = SuggestionsFileSchema.safeParse(JSON.parse(text));
    if (parsed.success) suggestions = parsed.data;
    else problems.push(`${EXTRA_FILES.suggestions}: not a list of suggestions (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') problems.push(`${EXTRA_FILES.suggestions}: unreadable (${(error as Error).message})`);
  }
  return { signals: credit.signals, graphs: credit.graphs, optimize: optimize.optimize, suggestions, problems };
}
