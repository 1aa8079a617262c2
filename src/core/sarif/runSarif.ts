/**
 * Reads what a SARIF log of a stored run needs — the run's credit and open suggestions (as the
 * editor sees them: applied and review-rejected ones left out), the prompt files as they are now,
 * and each suggestion planned against today's text — and builds the log (sarifLog.ts). Plain runs
 * and optimize runs alike; `latest` names the newest of either kind.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TruceConfig } from '../config';
import { buildAgentUnits } from '../credit/agentUnits';
import { planSuggestionInText } from '../editor/planInText';
import { listEditorRuns, loadRunView } from '../editor/runCatalog';
import { readPromptFile } from '../promptFileGuard';
import { RUN_FILES, runDir, RunNotFoundError, RunRefError } from '../store';
import { OPTIMIZE_FILES } from '../optimize/optimizeStore';
import { buildSarifLog, type PlannedFix, type SarifPromptFile } from './sarifLog';

export interface RunSarifOptions {
  workspaceRoot: string;
  /** The agents (and so the prompt files) of the workspace's truce.yaml. */
  config: Pick<TruceConfig, 'agents' | 'maxPromptBytes'>;
  /** A run id or `latest`. */
  run: string;
  toolVersion: string;
}

export interface RunSarif {
  runId: string;
  log: Record<string, unknown>;
  results: number;
  /** Things worth a warning: prompt files that could not be read, unusable suggestion entries. */
  problems: string[];
}

export async function runSarif(options: RunSarifOptions): Promise<RunSarif> {
  const { workspaceRoot } = options;
  const { runId, kind } = await findRun(workspaceRoot, options.run);
  const { view } = await loadRunView(workspaceRoot, { runId, kind });
  const problems = [...view.problems];

  const texts: Record<string, string> = {};
  for (const file of [...new Set(options.config.agents.map((a) => a.prompt))]) {
    try {
      texts[file] = await readPromptFile(resolve(workspaceRoot, file), file, options.config.maxPromptBytes);
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}; its findings are left out`);
    }
  }
  const files: SarifPromptFile[] = [];
  for (const agent of buildAgentUnits(options.config, texts)) {
    const file = agent.file.replace(/\\/g, '/');
    if (files.some((f) => f.file === file)) continue;
    files.push({ file, text: texts[agent.file] as string, document: agent.document });
  }
  const fixes = new Map<string, PlannedFix>();
  for (const s of view.pending) {
    const text = texts[s.file];
    if (text === undefined) continue;
    const planned = await planSuggestionInText(options.config, text, s);
    fixes.set(s.id, planned.ok ? { ok: true, after: planned.after } : { ok: false, reason: planned.reason });
  }
  const workspaceUri = pathToFileURL(resolve(workspaceRoot)).href.replace(/\/?$/, '/');
  const log = buildSarifLog({ view, files, fixes, toolVersion: options.toolVersion, workspaceUri });
  const results = ((log.runs as Array<{ results: unknown[] }>)[0]?.results ?? []).length;
  if (results === 0 && view.credit.size === 0 && view.pending.length === 0) {
    problems.push(`run ${runId} has no credit and no open suggestions yet; run \`truce credit ${runId}\` and \`truce suggest ${runId}\` first`);
  }
  return { runId, log, results, problems };
}

async function findRun(workspaceRoot: string, ref: string): Promise<{ runId: string; kind: 'plain' | 'optimize' }> {
  if (ref === 'latest') {
    const last = (await listEditorRuns(workspaceRoot)).at(-1);
    if (!last) throw new RunNotFoundError(`No runs in ${workspaceRoot}/.truce/runs yet; start one with \`truce run\`.`);
    return { runId: last.runId, kind: last.kind };
  }
  let dir: string;
  try {
    dir = runDir(workspaceRoot, ref);
  } catch (error) {
    if (error instanceof RunRefError) throw new RunNotFoundError(error.message);
    throw error;
  }
  if (existsSync(resolve(dir, RUN_FILES.manifest))) return { runId: ref, kind: 'plain' };
  if (existsSync(resolve(dir, OPTIMIZE_FILES.manifest))) return { runId: ref, kind: 'optimize' };
  throw new RunNotFoundError(`There is no run ${ref} in ${workspaceRoot}/.truce/runs (\`latest\` names the newest run).`);
}
