/**
 * What an optimize run has spent in earlier invocations, so a resumed run starts its budget there
 * instead of at zero (a run killed and resumed again and again would otherwise never stop).
 *
 * Spend is folded from call records, the same way run summaries fold it: the optimizer's own
 * `llm-calls.jsonl` plus that of every rollout run it started. Rollout runs are found by their task
 * file, which lives in the optimize run's `tasks/` folder, rather than by the manifest's sub-run
 * list: a run killed before its rollout returned is missing from that list but has spent all the same.
 */
import { join, relative } from 'node:path';
import type { Spend } from '../llm';
import { foldCalls, isStoredCallRecord, listRuns, readJsonlFile, readManifest, RUN_FILES, type StoredCallRecord } from '../store';
import { OPTIMIZE_FILES } from './optimizeStore';

async function callRecords(file: string): Promise<StoredCallRecord[]> {
  const contents = await readJsonlFile(file);
  return contents.lines.map((l) => l.value).filter(isStoredCallRecord);
}

/** Rollout runs whose task file is one of this optimize run's (workspace-relative, '/' separated). */
export async function subRunDirs(workspaceRoot: string, optimizeDir: string): Promise<string[]> {
  const prefix = `${relative(workspaceRoot, join(optimizeDir, 'tasks')).replace(/\\/g, '/')}/`;
  const out: string[] = [];
  for (const listing of await listRuns(workspaceRoot)) {
    try {
      const manifest = await readManifest(listing.dir);
      if (manifest.selection.taskFile.startsWith(prefix)) out.push(listing.dir);
    } catch {
      // listRuns already skipped unreadable manifests; one removed since is not ours to count.
    }
  }
  return out;
}

export async function spentSoFar(workspaceRoot: string, optimizeDir: string): Promise<Spend> {
  const records = await callRecords(join(optimizeDir, OPTIMIZE_FILES.calls));
  for (const dir of await subRunDirs(workspaceRoot, optimizeDir)) records.push(...(await callRecords(join(dir, RUN_FILES.calls))));
  const total = foldCalls(records).total;
  return { calls: total.calls, tokens: total.inputTokens + total.outputTokens, costUsd: total.costUsd };
}
