/**
 * The runs of a workspace as the editor lists and reads them: plain runs (`manifest.json`) and
 * optimize runs (`optimize.json`) side by side, newest last, each with its date, kind and a score
 * for the picker; and one run read into a RunView (credit, pending suggestions) together with the
 * ledger and the review decisions, which decide which suggestions are still pending.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readInterventions, type InterventionRecord } from '../intervene/interventionStore';
import { readLedger } from '../optimize/ledger';
import { OPTIMIZE_FILES, readOptimizeManifest, readSuggestions } from '../optimize/optimizeStore';
import { isRunId, listRuns, readJsonlFile, RUN_FILES, runDir, runsDir, type RunSummary } from '../store';
import type { Trajectory } from '../trajectory/schema';
import { rejectedBy, readDecisions } from './decisions';
import { appliedSuggestionIds } from './editorLedger';
import { buildRunView, type RunKind, type RunView } from './runView';

export interface RunEntry {
  runId: string;
  kind: RunKind;
  createdAt: string;
  state: string;
  tasks: number;
  /** Plain runs: the mean score over all tasks; optimize runs: the best set's last train score. */
  score: number | null;
  /** Optimize runs: the credit method. */
  method?: string;
}

export async function listEditorRuns(workspaceRoot: string): Promise<RunEntry[]> {
  const plain = await listRuns(workspaceRoot);
  const entries: RunEntry[] = [];
  for (const run of plain) {
    const summary = await readJson<RunSummary>(join(run.dir, RUN_FILES.summary));
    entries.push({ runId: run.runId, kind: 'plain', createdAt: run.createdAt, state: run.state, tasks: run.tasks, score: summary?.scores.all.meanScore ?? null });
  }
  let names: string[] = [];
  try {
    names = await readdir(runsDir(workspaceRoot));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const known = new Set(entries.map((e) => e.runId));
  for (const name of names.filter((n) => isRunId(n) && !known.has(n))) {
    const dir = join(runsDir(workspaceRoot), name);
    const manifest = await readOptimizeManifest(dir).catch(() => undefined);
    if (!manifest) continue;
    const rounds = (await readJsonlFile(join(dir, OPTIMIZE_FILES.rounds))).lines.map((l) => l.value as { trainScore?: unknown; batch?: unknown[] });
    const last = rounds[rounds.length - 1];
    entries.push({
      runId: manifest.runId,
      kind: 'optimize',
      createdAt: manifest.createdAt,
      state: manifest.status,
      tasks: Array.isArray(last?.batch) ? last.batch.length : 0,
      score: typeof last?.trainScore === 'number' ? last.trainScore : null,
      method: manifest.method,
    });
  }
  // Run ids begin with their start time, so sorting them sorts by time.
  return entries.sort((a, b) => a.runId.localeCompare(b.runId));
}

/** One step of a trajectory, shortened for hovers and pickers. */
export interface StepExcerpt {
  round: number;
  agentId: string;
  excerpt: string;
}

export interface LoadedRunView {
  view: RunView;
  /** `${taskId}/${stepId}` → the step, for evidence lists (plain runs keep their trajectories). */
  steps: ReadonlyMap<string, StepExcerpt>;
  /** interventions.jsonl of a plain run (truce intervene): blame checked by re-running. */
  interventions?: readonly InterventionRecord[];
}

export async function loadRunView(workspaceRoot: string, entry: Pick<RunEntry, 'runId' | 'kind'>): Promise<LoadedRunView> {
  const dir = runDir(workspaceRoot, entry.runId);
  const signals = (await readJsonlFile(join(dir, OPTIMIZE_FILES.credit))).lines.map((l) => l.value);
  const suggestions = await readSuggestions(dir);
  const ledger = await readLedger(workspaceRoot);
  const decisions = await readDecisions(workspaceRoot);
  const steps = new Map<string, StepExcerpt>();
  let taskIds: string[] | undefined;
  let interventions: InterventionRecord[] = [];
  if (entry.kind === 'plain') {
    // Lines that do not validate are left out here; `truce credit` names them.
    interventions = (await readInterventions(dir)).records;
    const trajectories = (await readJsonlFile(join(dir, RUN_FILES.trajectories))).lines.map((l) => l.value as Trajectory);
    taskIds = trajectories.map((t) => t.taskId).filter((id): id is string => typeof id === 'string');
    for (const t of trajectories) {
      for (const step of Array.isArray(t?.steps) ? t.steps : []) {
        steps.set(`${t.taskId}/${step.id}`, { round: step.round, agentId: step.agentId, excerpt: excerpt(step.output) });
      }
    }
  }
  const view = buildRunView({
    runId: entry.runId,
    kind: entry.kind,
    ...(taskIds && taskIds.length > 0 ? { taskIds } : {}),
    signals,
    suggestions: Array.isArray(suggestions) ? suggestions : [],
    appliedSuggestionIds: appliedSuggestionIds(ledger),
    isRejected: rejectedBy(decisions),
  });
  return { view, steps, ...(interventions.length ? { interventions } : {}) };
}

function excerpt(output: unknown): string {
  const text = typeof output === 'string' ? output : JSON.stringify(output ?? '');
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? `${one.slice(0, 119)}…` : one;
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
